package org.multiprocessing4j.bench.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonWriterTest {

    @Test
    void floatsArePrintedAsPythonsReprPrintsThem() {
        // Expected text is CPython 3.11's json.dumps of the same list.
        List<Double> values = List.of(1e-05, 1e16, 1e15, 0.0001, 1234570.0, -0.0, 2.5e-7, 123456789012345678.0,
                0.1 + 0.2, 5e-324, 1.7976931348623157e308, 2.95044, 0.000123457, 100.0, Double.NaN,
                Double.POSITIVE_INFINITY);
        assertEquals("[1e-05, 1e+16, 1000000000000000.0, 0.0001, 1234570.0, -0.0, 2.5e-07, 1.2345678901234568e+17, "
                + "0.30000000000000004, 5e-324, 1.7976931348623157e+308, 2.95044, 0.000123457, 100.0, NaN, Infinity]",
                JsonWriter.write(values));
    }

    @Test
    void stringsAreEscapedToAsciiAsPythonDoes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("u", "µs é \u2028 \uD83D\uDE00 \u0001 \"q\" \\ /");
        assertEquals("{\"u\": \"\\u00b5s \\u00e9 \\u2028 \\ud83d\\ude00 \\u0001 \\\"q\\\" \\\\ /\"}", JsonWriter.write(m));
    }

    @Test
    void mapsKeepTheirOrderAndUsePythonsSeparators() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workload", "w");
        m.put("value", null);
        m.put("reps", 5);
        m.put("params", Map.of());
        m.put("argv", Arrays.asList("a", true, 3L));
        assertEquals("{\"workload\": \"w\", \"value\": null, \"reps\": 5, \"params\": {}, \"argv\": [\"a\", true, 3]}",
                JsonWriter.write(m));
    }
}
