package org.multiprocessing4j.bench.codec;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares JDK serialization, Kryo (as configured here, and as shipped in {@code multiprocessing4j-kryo})
 * and Apache Fory on multiprocessing4j's payloads: steady-state round
 * trip time and encoded size ({@link SteadyState}, one JVM per codec), and first-use cost in fresh JVMs
 * ({@link FirstUse}, {@code jvms} JVMs per codec and payload, median reported). Prints a table, then one JSON line per
 * figure ({@code {"workload":"codec","variant":"<codec>/<payload>/<metric>","value":..,"unit":..}}).
 *
 * <p>Run (from the repository root, after building the module):
 * <pre>
 * ./mvnw -B -q -pl multiprocessing4j-bench -am package -DskipTests
 * ./mvnw -B -q -pl multiprocessing4j-bench dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *      -cp multiprocessing4j-bench/target/classes:$(cat multiprocessing4j-bench/target/cp.txt) \
 *      org.multiprocessing4j.bench.codec.CodecComparison [codecs=jdk,kryo,mp4j-kryo,fory] [jvms=5]
 * </pre>
 * The {@code java} must be a JDK 25; its options are passed on to the fresh JVMs. A codec that fails
 * on a payload, or decodes something that is not equivalent to it, is reported as failing, not timed.
 */
public final class CodecComparison {

    /** First use is measured on the costliest payload to set up (the lambda) and the cheapest. */
    private static final List<Payload> FIRST_USE_PAYLOADS = List.of(Payload.LAMBDA, Payload.INTEGER);

    private CodecComparison() {
    }

    /** Runs every measurement; arguments {@code codecs=a,b} and {@code jvms=N} narrow or widen it. */
    public static void main(String[] args) throws Exception {
        List<String> codecs = List.of("jdk", "kryo", "mp4j-kryo", "fory");
        int jvms = 5;
        for (String arg : args) {
            if (arg.startsWith("codecs=")) {
                codecs = List.of(arg.substring("codecs=".length()).split(","));
            } else if (arg.startsWith("jvms=")) {
                jvms = Integer.parseInt(arg.substring("jvms=".length()));
            } else {
                throw new IllegalArgumentException("unknown argument: " + arg + " (codecs=jdk,kryo,mp4j-kryo,fory jvms=5)");
            }
        }
        Results results = new Results();
        System.out.printf(Locale.ROOT, "# %s %s, %d CPUs%n", System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), Runtime.getRuntime().availableProcessors());

        for (String name : codecs) {
            steadyState(results, name);
        }
        firstUse(results, codecs, jvms);
        results.printTable(codecs);
        results.printJsonLines();
    }

    /** Runs {@link SteadyState} for one codec in its own JVM and collects what it printed. */
    private static void steadyState(Results results, String codec) {
        results.put(codec + "/load-before", loadAverage());
        try {
            for (String line : FreshJvm.run(SteadyState.class, codec)) {
                String[] parts = line.split(" ", 3);
                if (parts[0].equals("FIGURE")) {
                    results.put(parts[1], Double.parseDouble(parts[2]));
                } else if (parts[0].equals("FAILURE")) {
                    results.failures.put(parts[1], parts[2]);
                }
            }
        } catch (Throwable e) {
            results.fail(codec, e);
        }
        results.put(codec + "/load-after", loadAverage());
    }

    /** The one-minute load average: above the CPU count, something else competed for the CPUs. */
    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /**
     * Runs {@link FirstUse} {@code jvms} times per codec and payload, interleaved (round i runs every
     * codec once before round i+1), so a passing disturbance on the machine spreads across codecs.
     */
    private static void firstUse(Results results, List<String> codecs, int jvms) {
        Map<String, List<Double>> millis = new LinkedHashMap<>();
        for (int round = 0; round < jvms; round++) {
            for (String codec : codecs) {
                for (Payload payload : FIRST_USE_PAYLOADS) {
                    String key = codec + "/" + payload.label() + "/first-use";
                    if (results.failed(key)) {
                        continue;
                    }
                    try {
                        millis.computeIfAbsent(key, k -> new ArrayList<>())
                                .add(FreshJvm.firstUseNanos(codec, payload) / 1e6);
                    } catch (Throwable e) {
                        results.fail(key, e);
                        millis.remove(key);
                    }
                }
            }
        }
        millis.forEach((key, list) -> {
            double[] ms = list.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            results.put(key, ms[ms.length / 2]);
            results.put(key + "-min", ms[0]);
            results.put(key + "-max", ms[ms.length - 1]);
        });
    }

    /** Figures by {@code codec/payload/metric}, and failures by {@code codec/payload[/metric]}. */
    private static final class Results {
        private final Map<String, Double> figures = new LinkedHashMap<>();
        private final Map<String, String> failures = new LinkedHashMap<>();

        void put(String key, double value) {
            figures.put(key, value);
        }

        boolean failed(String key) {
            return failures.containsKey(key);
        }

        void fail(String key, Throwable e) {
            failures.put(key, SteadyState.describe(e));
        }

        void printTable(List<String> codecs) {
            System.out.println();
            System.out.println("Steady-state round trip (ns, median of " + SteadyState.BATCHES
                    + " batches) / encoded size (bytes)");
            StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-10s", "payload"));
            for (String c : codecs) {
                header.append(String.format(Locale.ROOT, " | %20s", c));
            }
            System.out.println(header);
            for (Payload p : Payload.values()) {
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-10s", p.label()));
                for (String c : codecs) {
                    String key = c + "/" + p.label();
                    Double ns = figures.get(key + "/roundtrip");
                    Double size = figures.get(key + "/size");
                    String cell = ns == null ? "FAILS" : String.format(Locale.ROOT, "%,9.0f ns %6.0f B", ns, size);
                    row.append(String.format(Locale.ROOT, " | %20s", cell));
                }
                System.out.println(row);
            }
            StringBuilder load = new StringBuilder(String.format(Locale.ROOT, "%-10s", "load avg"));
            for (String c : codecs) {
                load.append(String.format(Locale.ROOT, " | %20s", String.format(Locale.ROOT, "%.2f -> %.2f",
                        figures.getOrDefault(c + "/load-before", Double.NaN),
                        figures.getOrDefault(c + "/load-after", Double.NaN))));
            }
            System.out.println(load);
            System.out.println();
            System.out.println("First use in a fresh JVM (ms: construct codec + first round trip; median [min-max])");
            for (Payload p : FIRST_USE_PAYLOADS) {
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-10s", p.label()));
                for (String c : codecs) {
                    String key = c + "/" + p.label() + "/first-use";
                    Double median = figures.get(key);
                    String cell = median == null ? "FAILS" : String.format(Locale.ROOT, "%.0f [%.0f-%.0f]",
                            median, figures.get(key + "-min"), figures.get(key + "-max"));
                    row.append(String.format(Locale.ROOT, " | %20s", cell));
                }
                System.out.println(row);
            }
            if (!failures.isEmpty()) {
                System.out.println();
                System.out.println("Failures:");
                failures.forEach((k, v) -> System.out.println("  " + k + ": " + v));
            }
            System.out.println();
        }

        void printJsonLines() {
            List<String> lines = new ArrayList<>();
            figures.forEach((key, value) -> {
                String unit = key.endsWith("/roundtrip") ? "ns" : key.endsWith("/size") ? "bytes"
                        : key.contains("/load-") ? "load" : "ms";
                lines.add(String.format(Locale.ROOT,
                        "{\"workload\":\"codec\",\"variant\":\"%s\",\"value\":%.1f,\"unit\":\"%s\"}", key, value, unit));
            });
            lines.forEach(System.out::println);
        }
    }
}
