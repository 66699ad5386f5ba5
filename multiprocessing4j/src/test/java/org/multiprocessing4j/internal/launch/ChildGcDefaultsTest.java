package org.multiprocessing4j.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which collector options a child gets by default, and when its own options or environment say otherwise. */
class ChildGcDefaultsTest {
    private static final List<String> BOTH = List.of(ChildGcDefaults.COLLECTOR, ChildGcDefaults.YOUNG_GENERATION);

    @Test
    void options_that_pick_a_collector_are_recognised() {
        assertTrue(ChildGcDefaults.selectsCollector("-XX:+UseG1GC"));
        assertTrue(ChildGcDefaults.selectsCollector("-XX:+UseZGC"));
        assertTrue(ChildGcDefaults.selectsCollector("-XX:+UseParallelGC"));
        assertTrue(ChildGcDefaults.selectsCollector("-XX:+UseShenandoahGC"));
        assertFalse(ChildGcDefaults.selectsCollector("-XX:-UseG1GC"));
        assertFalse(ChildGcDefaults.selectsCollector("-XX:+UseGCOverheadLimit"));
        assertFalse(ChildGcDefaults.selectsCollector("-XX:+UseStringDeduplication"));
        assertFalse(ChildGcDefaults.selectsCollector("-XX:+UseMaximumCompactionOnSystemGC"));
    }

    @Test
    void a_child_that_says_nothing_gets_the_serial_collector_and_a_16_MiB_young_generation() {
        assertEquals(BOTH, ChildGcDefaults.defaults(List.of("-Dx=y", "-Xss1m"), Map.of("JAVA_TOOL_OPTIONS", "-Xss1m")));
        assertEquals(BOTH, ChildGcDefaults.defaults(List.of("-Xmx512m", "-Xms64m"), Map.of()));
        assertEquals(BOTH, ChildGcDefaults.defaults(List.of("-Xmx2g", "-XX:MaxHeapSize=99999999999999999999999"), Map.of()));
    }

    @Test
    void a_collector_chosen_anywhere_or_an_options_file_means_nothing_is_added() {
        assertEquals(List.of(), ChildGcDefaults.defaults(List.of("-XX:+UseG1GC"), Map.of()));
        assertEquals(List.of(), ChildGcDefaults.defaults(List.of("-Xmx64m"), Map.of("_JAVA_OPTIONS", " -Xss1m -XX:+UseZGC")));
        assertEquals(List.of(), ChildGcDefaults.defaults(List.of(), Map.of("JDK_JAVA_OPTIONS", "-XX:+UseParallelGC")));
        assertEquals(List.of(), ChildGcDefaults.defaults(List.of("-XX:VMOptionsFile=/etc/jvm.options"), Map.of()));
        assertEquals(List.of(), ChildGcDefaults.defaults(List.of("-XX:Flags=.hotspotrc"), Map.of()));
    }

    @Test
    void a_young_generation_or_a_small_heap_given_anywhere_keeps_the_collector_only() {
        List<String> collectorOnly = List.of(ChildGcDefaults.COLLECTOR);
        for (String option : List.of("-Xmn8m", "-XX:NewSize=4m", "-XX:MaxNewSize=64m", "-XX:NewRatio=3", "-Xmx48m", "-Xms16m",
                "-Xmx65535k", "-XX:MaxHeapSize=33554432", "-XX:InitialHeapSize=1m", "-XX:MaxRAMPercentage=10", "-XX:MaxRAM=1g")) {
            assertEquals(collectorOnly, ChildGcDefaults.defaults(List.of(option), Map.of()), option);
        }
        assertEquals(collectorOnly, ChildGcDefaults.defaults(List.of(), Map.of("JAVA_TOOL_OPTIONS", "-Xmx32m")));
        assertFalse(ChildGcDefaults.shapesYoungGeneration("-Xmx64m"));
        assertFalse(ChildGcDefaults.shapesYoungGeneration("-Xmx65536k"));
        assertFalse(ChildGcDefaults.shapesYoungGeneration("-Xmx1G"));
        assertFalse(ChildGcDefaults.shapesYoungGeneration("-Xss256k"));
    }

    @Test
    void options_this_class_cannot_see_mean_nothing_is_added() {
        assertEquals(List.of(), ChildGcDefaults.defaults(List.of("@/app/jvm.args"), Map.of()));
        assertEquals(List.of(), ChildGcDefaults.defaults(List.of(), Map.of("JDK_JAVA_OPTIONS", "@jvm.args")));
        assertEquals(List.of(), ChildGcDefaults.defaults(List.of(), Map.of("JAVA_TOOL_OPTIONS", "'-XX:+UseG1GC'")));
        assertEquals(List.of(ChildGcDefaults.COLLECTOR), ChildGcDefaults.defaults(List.of("-Xmx0x2000000"), Map.of()));
    }

    @Test
    void a_child_passes_on_neither_its_defaults_nor_its_environments_options_nor_a_collector_its_context_replaces() {
        String before = System.getProperty(ChildGcDefaults.GIVEN_PROPERTY);
        System.setProperty(ChildGcDefaults.GIVEN_PROPERTY, ChildGcDefaults.COLLECTOR + "," + ChildGcDefaults.YOUNG_GENERATION);
        try {
            assertEquals(List.of("-Xss1m", "-Dfoo=1"), ChildGcDefaults.inherited(
                    List.of("-Xss1m", ChildGcDefaults.COLLECTOR, ChildGcDefaults.YOUNG_GENERATION, "-Dfoo=1"), List.of(), Map.of()));
        } finally {
            if (before == null) {
                System.clearProperty(ChildGcDefaults.GIVEN_PROPERTY);
            } else {
                System.setProperty(ChildGcDefaults.GIVEN_PROPERTY, before);
            }
        }
        assertEquals(List.of("-Dbaz=3"), ChildGcDefaults.inherited(List.of("-javaagent:x.jar", "-Dbar=2", "-Dbaz=3"), List.of(),
                Map.of("JAVA_TOOL_OPTIONS", " -javaagent:x.jar  -Dbar=2")));
        assertEquals(List.of("-Xss1m"), ChildGcDefaults.inherited(List.of("-XX:+UseParallelGC", "-Xss1m"), List.of("-XX:+UseG1GC"), Map.of()));
        assertEquals(List.of("-XX:+UseParallelGC", "-Xss1m"), ChildGcDefaults.inherited(List.of("-XX:+UseParallelGC", "-Xss1m"), List.of(), Map.of()));
    }
}
