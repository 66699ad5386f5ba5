package org.multiprocessing4j.bench.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.bench.cpython.CPythonBaseline;

class JsonReaderTest {

    @Test
    void readsNestedObjectsArraysAndPythonsNumberExtensions() {
        Object v = JsonReader.parse("{\"a\": [1, 2.5, -3e-05, NaN, -Infinity], \"b\": {\"c\": null, \"d\": \"\\u00b5\\n\"},"
                + " \"e\": 18446744073709551616, \"f\": true}");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of(1L, 2.5, -3e-05, Double.NaN, Double.NEGATIVE_INFINITY), m.get("a"));
        assertEquals("µ\n", ((Map<?, ?>) m.get("b")).get("d"));
        assertEquals(new java.math.BigInteger("18446744073709551616"), m.get("e"));
        assertEquals(List.of("a", "b", "e", "f"), List.copyOf(m.keySet()));
    }

    @Test
    void rejectsMalformedText() {
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("{\"a\": }"));
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("{\"a\": 1} x"));
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("\"open"));
    }

    @Test
    void everyLineOfTheReferenceResultsComesBackByteForByte() throws IOException {
        // The CPython reference run next to mp_baseline.py: reading then writing must reproduce json.dumps.
        Optional<Path> script = CPythonBaseline.findScript(Path.of(""));
        assumeTrue(script.isPresent(), "shared/bench/python not found above the working directory");
        try (var files = Files.list(script.get().getParent())) {
            List<Path> results = files.filter(p -> p.getFileName().toString().endsWith(".jsonl")).toList();
            assumeTrue(!results.isEmpty(), "no reference .jsonl file");
            for (Path file : results) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank()) assertEquals(line, JsonWriter.write(JsonReader.parse(line)), file.toString());
                }
            }
        }
    }
}
