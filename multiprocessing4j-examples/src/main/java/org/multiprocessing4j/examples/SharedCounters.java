package org.multiprocessing4j.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentMap;
import org.multiprocessing4j.Manager;
import org.multiprocessing4j.Multiprocessing;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.SerializableBiFunction;

/**
 * Word counts in a manager dict, shared by several processes: Python's
 * {@code counts = manager.dict()} with {@code counts[w] = counts.get(w, 0) + n} done right.
 *
 * <ol>
 *   <li>The parent starts a {@link Manager} (a server JVM of its own) and makes two proxies there:
 *       {@code counts}, a dict of word → count, and {@code linesDone}, a dict of process name → a
 *       {@code manager.list()} of the line numbers that process counted.</li>
 *   <li>Each counting process takes every n-th line of the text, counts its words locally, then adds each
 *       word's count to the shared dict with {@code counts.merge(word, n, SUM)}. {@code SUM} is a
 *       <em>serializable</em> function, so the whole read-add-write runs inside the manager as one atomic
 *       step: two processes adding to the same word at the same moment both count. (Python's
 *       {@code counts[w] += n} on a dict proxy is a get and a set, two round trips, and loses updates.)</li>
 *   <li>It appends each line number to its own list with {@code linesDone.get(myName).add(line)}. The list
 *       stored in the dict is a {@code manager.list()}, which stays a proxy there, so this changes the
 *       shared list (as nested proxies do in Python 3.6+). Values are copied: had the parent stored a plain
 *       {@code ArrayList}, {@code get} would return a copy and the add would be lost, in Java as in Python,
 *       where that is the most common manager complaint.</li>
 *   <li>The parent joins the processes and checks the shared counts against a count of its own, word by
 *       word, and that every line was counted by exactly one process.</li>
 * </ol>
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... org.multiprocessing4j.examples.SharedCounters [lines [processes]]
 * </pre>
 *
 * <p>Every call on a proxy is one round trip to the manager JVM (tens of microseconds): count locally and
 * merge per word, as here, rather than once per occurrence.
 */
public final class SharedCounters {
    /** Adds two counts. Serializable, so {@code merge} ships it to the manager and runs it there atomically. */
    static final SerializableBiFunction<Integer, Integer, Integer> SUM = Integer::sum;

    private static final String[] WORDS = {
        "the", "process", "queue", "lock", "manager", "pool", "pipe", "value", "array", "event",
        "barrier", "shared", "memory", "worker", "child", "parent", "jvm", "futex", "proxy", "dict",
    };

    private SharedCounters() {
    }

    /** What the parent read back from the manager, what it expected, and each child's exit code. */
    record Result(Map<String, Integer> counts, Map<String, Integer> expected, Map<String, List<Integer>> linesDone,
                  Map<String, Integer> exitCodes) {
    }

    public static void main(String[] args) throws Exception {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        int processes = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Result result = run(System.out, lines, processes);
        if (!result.counts().equals(result.expected())) {
            throw new IllegalStateException("the shared counts differ from the parent's own count");
        }
    }

    /** Counts the words of {@code lines} generated lines with {@code processes} child JVMs; prints and returns the totals. */
    static Result run(PrintStream out, int lines, int processes) throws InterruptedException {
        List<String> text = text(lines);
        try (Manager manager = Manager.start()) {
            ConcurrentMap<String, Integer> counts = manager.dict();
            ConcurrentMap<String, List<Integer>> linesDone = manager.dict();
            List<Process> children = new ArrayList<>();
            for (int p = 0; p < processes; p++) {
                String name = "counter-" + (p + 1);
                linesDone.put(name, manager.list()); // a list proxy stored in a dict proxy: it stays a proxy
                int first = p;
                // The lambda captures the two proxies (serializable handles naming the manager's objects), the
                // text and plain numbers; in the child they call the same manager.
                children.add(new Process(name, () -> countLines(text, first, processes, counts, linesDone)));
            }
            children.forEach(Process::start);
            out.printf("%d processes count the words of %,d lines into a manager dict (manager pid %d)%n",
                    processes, lines, manager.pid().orElse(-1));

            Map<String, Integer> exitCodes = new TreeMap<>();
            for (Process p : children) {
                p.join();
                exitCodes.put(p.name(), p.exitCode());
                p.close();
            }

            Map<String, Integer> shared = new TreeMap<>(counts); // one snapshot of the manager's dict
            Map<String, List<Integer>> done = new TreeMap<>();
            linesDone.forEach((name, list) -> done.put(name, List.copyOf(list)));
            Map<String, Integer> expected = countLocally(text);

            int total = shared.values().stream().mapToInt(Integer::intValue).sum();
            out.printf("%,d words, %d distinct; the five most frequent: %s%n", total, shared.size(), top(shared, 5));
            done.forEach((name, list) -> out.printf("  %s counted %,d lines%n", name, list.size()));
            out.printf("shared counts %s the parent's own count; exit codes %s%n",
                    shared.equals(expected) ? "equal" : "DIFFER FROM", exitCodes);
            return new Result(shared, expected, done, exitCodes);
        }
    }

    /** Runs in a child JVM: counts lines {@code first}, {@code first + step}, … into the shared dict. */
    private static void countLines(List<String> text, int first, int step, ConcurrentMap<String, Integer> counts,
                                   ConcurrentMap<String, List<Integer>> linesDone) {
        List<Integer> mine = linesDone.get(Multiprocessing.currentProcess().name()); // a proxy of the shared list
        for (int line = first; line < text.size(); line += step) {
            Map<String, Integer> local = new TreeMap<>();
            for (String word : text.get(line).split(" ")) {
                local.merge(word, 1, Integer::sum);
            }
            local.forEach((word, n) -> counts.merge(word, n, SUM)); // one atomic step in the manager per word
            mine.add(line);
        }
    }

    /** The parent's own count, to check the shared one against. */
    static Map<String, Integer> countLocally(List<String> text) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String line : text) {
            for (String word : line.split(" ")) {
                counts.merge(word, 1, Integer::sum);
            }
        }
        return counts;
    }

    /** {@code lines} lines of 5 to 14 words drawn from a small vocabulary; the same on every run. */
    static List<String> text(int lines) {
        SplittableRandom random = new SplittableRandom(42);
        List<String> text = new ArrayList<>(lines);
        for (int i = 0; i < lines; i++) {
            StringBuilder line = new StringBuilder();
            int words = 5 + random.nextInt(10);
            for (int w = 0; w < words; w++) {
                // squared: some words are much more frequent than others, as in real text
                double u = random.nextDouble();
                line.append(w == 0 ? "" : " ").append(WORDS[(int) (u * u * WORDS.length)]);
            }
            text.add(line.toString());
        }
        return text;
    }

    private static String top(Map<String, Integer> counts, int n) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(n).map(e -> e.getKey() + "=" + e.getValue()).toList().toString();
    }
}
