package org.multiprocessing4j.internal.launch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The garbage-collector options a child JVM gets when its own options say nothing about them: the serial
 * collector, with a young generation that starts at 16 MiB. Stateless; thread-safe.
 *
 * <p>Why. A child is one more process on CPUs its siblings share, running one task at a time: the serial
 * collector is what the JVM picks by itself for a JVM given one CPU, and it starts no GC threads to compete
 * with the sibling workers. And a child is a fresh JVM: every page of its young generation costs a page
 * fault the first time it is used, which on a VM costs up to ~14 µs per 4 KiB page (the 100 MiB young
 * generation a default JVM gets here took 350 ms to touch once). G1 kept growing its young generation
 * into memory never touched; the serial collector reuses the same one, and one that starts at 16 MiB is
 * touched once within the first 16 MB a worker allocates, then reused (it grows with the heap if the
 * worker keeps more data). Measured in alternating harness runs: 1 MiB task arguments 0.8-1.3 GB/s with G1
 * workers, 2.3-3.5 GB/s with serial ones; imap_unordered (chunksize 1000) 3.3-7.2 M/s with the serial
 * collector's default young generation, 4.4-17.0 M/s with 16 MiB, four runs each (docs/performance.md §4).
 *
 * <p>What counts as saying something: any collector option ({@code -XX:+Use...GC}), and for the young
 * generation any young-generation or heap-size option (a 16 MiB young generation would not fit a heap
 * under 64 MiB, and the JVM would warn), whether among the options or in the environment variables the
 * JVM reads options from ({@link #OPTION_VARIABLES}). An options file ({@code -XX:VMOptionsFile},
 * {@code -XX:Flags}, an {@code @}argument file) or a quoted word may say anything, unseen: then nothing is
 * added. Adding a second collector would stop the child from starting ("Multiple garbage collectors
 * selected"). The defaults a child was given are named in {@link #GIVEN_PROPERTY}, so that its own
 * children, which inherit its options, do not take them for the user's ({@link #inherited}).
 */
final class ChildGcDefaults {
    static final String COLLECTOR = "-XX:+UseSerialGC";
    static final String YOUNG_GENERATION = "-XX:NewSize=16m";
    /** Environment variables whose options the {@code java} launcher or the JVM adds to its command line. */
    static final List<String> OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");
    /**
     * The system property that tells a child which of its options are these defaults rather than its
     * user's, so that its own children do not inherit them as if they were.
     */
    static final String GIVEN_PROPERTY = "multiprocessing4j.childGcDefaults";
    /** The smallest heap (initial or maximum) that still gets {@link #YOUNG_GENERATION}. */
    static final long MIN_HEAP_FOR_YOUNG_DEFAULT = 64L << 20;

    private static final Pattern COLLECTOR_OPTION =
            Pattern.compile("-XX:\\+Use(Serial|Parallel|ParallelOld|G1|Z|Shenandoah|Epsilon|ConcMarkSweep)GC");
    private static final Pattern HEAP_SIZE_OPTION =
            Pattern.compile("-(?:Xmx|Xms|XX:MaxHeapSize=|XX:InitialHeapSize=)(\\d+)([kKmMgGtT]?)");

    private ChildGcDefaults() {
    }

    /**
     * The options to add to a child's {@code options} (its inherited and the context's), given the
     * environment it starts with: none, the collector, or the collector and the young generation.
     */
    static List<String> defaults(List<String> options, Map<String, String> environment) {
        List<String> all = new ArrayList<>(options);
        all.addAll(environmentOptions(environment));
        if (all.stream().anyMatch(o -> selectsCollector(o) || unseen(o))) {
            return List.of();
        }
        if (all.stream().anyMatch(ChildGcDefaults::shapesYoungGeneration)) {
            return List.of(COLLECTOR);
        }
        return List.of(COLLECTOR, YOUNG_GENERATION);
    }

    /**
     * The options of this JVM a child inherits, of {@code candidates} (this JVM's options a child may
     * inherit): without the defaults this JVM was given as a child itself ({@link #GIVEN_PROPERTY}); without
     * those this JVM read from its environment variables {@link #OPTION_VARIABLES} (the child reads them
     * from the same variables again: copied, an agent would load twice); and without a collector option when
     * the context's own {@code contextOptions} pick a collector (two collectors stop a JVM from starting).
     */
    static List<String> inherited(List<String> candidates, List<String> contextOptions, Map<String, String> ownEnvironment) {
        List<String> given = new ArrayList<>(List.of(System.getProperty(GIVEN_PROPERTY, "").split(",")));
        List<String> fromEnvironment = environmentOptions(ownEnvironment);
        boolean contextPicksCollector = contextOptions.stream().anyMatch(ChildGcDefaults::selectsCollector);
        List<String> kept = new ArrayList<>();
        for (String option : candidates) {
            if (given.remove(option) || fromEnvironment.remove(option) || (contextPicksCollector && selectsCollector(option))) {
                continue;
            }
            kept.add(option);
        }
        return kept;
    }

    /**
     * Whether {@code option} may hold options this class cannot see: an options file, an {@code @}argument
     * file, a quoted word of an environment variable.
     */
    private static boolean unseen(String option) {
        return option.startsWith("-XX:VMOptionsFile=") || option.startsWith("-XX:Flags=") || option.startsWith("@")
                || option.startsWith("'") || option.startsWith("\"");
    }

    /** The words of the {@link #OPTION_VARIABLES} of {@code environment}, in order (split at white space, no quoting). */
    private static List<String> environmentOptions(Map<String, String> environment) {
        List<String> words = new ArrayList<>();
        for (String variable : OPTION_VARIABLES) {
            String value = environment.get(variable);
            if (value != null && !value.isBlank()) {
                words.addAll(List.of(value.trim().split("\\s+")));
            }
        }
        return words;
    }

    /** The environment a child starts with: this JVM's, with the context's variables over it. */
    static Map<String, String> childEnvironment(Map<String, String> added) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(added);
        return env;
    }

    /** Whether {@code option} picks the garbage collector ({@code -XX:+UseG1GC}, {@code -XX:+UseSerialGC}, ...). */
    static boolean selectsCollector(String option) {
        return COLLECTOR_OPTION.matcher(option).matches();
    }

    /**
     * Whether {@code option} sizes the young generation, or sizes the heap in a way that a 16 MiB young
     * generation might not fit (a heap under {@link #MIN_HEAP_FOR_YOUNG_DEFAULT}, or a size from RAM).
     */
    static boolean shapesYoungGeneration(String option) {
        if (option.startsWith("-Xmn") || option.startsWith("-XX:NewSize=") || option.startsWith("-XX:MaxNewSize=")
                || option.startsWith("-XX:NewRatio=") || option.startsWith("-XX:MaxRAM") || option.startsWith("-XX:InitialRAM")
                || option.startsWith("-XX:MinRAM")) {
            return true;
        }
        Matcher m = HEAP_SIZE_OPTION.matcher(option);
        if (!m.matches()) {
            // NOTE: a heap size this does not parse (hex, say): taken as small, so nothing is risked
            return option.startsWith("-Xmx") || option.startsWith("-Xms") || option.startsWith("-XX:MaxHeapSize=")
                    || option.startsWith("-XX:InitialHeapSize=");
        }
        try {
            long size = Long.parseLong(m.group(1));
            int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                case "t" -> 40;
                default -> 0;
            };
            return size < (MIN_HEAP_FOR_YOUNG_DEFAULT >> shift);
        } catch (NumberFormatException tooLong) {
            return false; // NOTE: more digits than a long: a huge heap, which a 16 MiB young generation fits
        }
    }
}
