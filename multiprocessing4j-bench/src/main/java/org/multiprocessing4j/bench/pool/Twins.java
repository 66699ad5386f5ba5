package org.multiprocessing4j.bench.pool;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Multiprocessing;

/**
 * How the {@code threads/} lines are named and described. A thread-pool line is the process-pool line's
 * variant with the prefix {@value #PREFIX}; it is compared with the same CPython variant as the process-pool
 * line (the Java-vs-CPython table), and with the process-pool line in the same run (the price-of-isolation
 * table of {@link org.multiprocessing4j.bench.report.RatioTable}). Stateless.
 */
public final class Twins {

    /** The variant prefix of every thread-pool line. */
    public static final String PREFIX = "threads/";

    private Twins() {
    }

    /** {@code "threads/v" -> [v]} for each variant: the thread lines compared with CPython's lines of the same name. */
    public static Map<String, List<String>> comparedWithCPython(String... variants) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String v : variants) {
            m.put(PREFIX + v, List.of(v));
        }
        return m;
    }

    /**
     * What a process-pool line ran on, for its {@code pool} param: {@code type} (e.g. {@code
     * "org.multiprocessing4j.Pool(2)"}) in the default context, with its start method and serializer.
     */
    public static String inDefaultContext(String type) {
        Context c = Multiprocessing.defaultContext();
        return type + ", default context: " + c.startMethod() + ", serializer " + c.serializer().getName();
    }

    /**
     * {@code params} with a {@code pool} entry saying which pool produced the line: the process pool
     * ({@code describeProcesses}) or, for {@code threads}, the thread-pool twin. A new, ordered map.
     */
    public static Map<String, Object> params(Map<String, Object> params, boolean threads, String describeProcesses) {
        Map<String, Object> p = new LinkedHashMap<>(params);
        p.put("pool", threads
                ? "java.util.concurrent.ThreadPoolExecutor in the bench JVM (no serialization, no copy), same chunks"
                : describeProcesses);
        return p;
    }
}
