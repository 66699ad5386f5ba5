package org.multiprocessing4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.examples.SharedCounters.Result;

class SharedCountersExampleTest extends ExampleTestBase {

    @Test
    void everyWordOfEveryLineIsCountedOnceAndEveryLineLandsInItsProcessesNestedList() throws Exception {
        int lines = 400;
        int processes = 3;
        Result result = assertTimeoutPreemptively(HANG, () -> SharedCounters.run(out, lines, processes));

        Map<String, Integer> expected = SharedCounters.countLocally(SharedCounters.text(lines));
        assertEquals(expected, result.expected());
        assertEquals(expected, result.counts(), "no lost or doubled merge in the manager dict");
        int words = SharedCounters.text(lines).stream().mapToInt(l -> l.split(" ").length).sum();
        assertEquals(words, result.counts().values().stream().mapToInt(Integer::intValue).sum());

        assertEquals(List.of("counter-1", "counter-2", "counter-3"), List.copyOf(result.linesDone().keySet()));
        List<Integer> all = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            List<Integer> mine = result.linesDone().get("counter-" + (p + 1));
            // each process appended its own lines, in order, to the list stored in the dict
            assertEquals(IntStream.iterate(p, i -> i < lines, i -> i + processes).boxed().toList(), mine);
            all.addAll(mine);
        }
        assertEquals(lines, all.size());
        assertEquals(lines, all.stream().distinct().count(), "every line counted by exactly one process");

        assertEquals(Map.of("counter-1", 0, "counter-2", 0, "counter-3", 0), result.exitCodes());
        assertTrue(output().contains("shared counts equal the parent's own count"), output());
    }
}
