package org.multiprocessing4j.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command line of {@link Main}. Immutable.
 *
 * @param only          workload names from {@code --only a,b} (empty: every registered Java workload)
 * @param quick         {@code --quick}: the README's small sizes
 * @param cpython       {@code --cpython}: also run CPython's {@code mp_baseline.py}, after the Java workloads
 * @param cpythonScript {@code --cpython-script PATH}, or {@code null} to search for it
 * @param python        {@code --python EXE}, default {@code python3}
 * @param out           {@code --out FILE} to append all JSON lines to, or {@code null}
 * @param help          {@code -h} / {@code --help}
 * @param warmups       {@code --warmups N}: warm-up repetitions of the Java workloads (default 1, the README's)
 * @param serializer    {@code --serializer CLASS}: the default context's serializer class name, or {@code null}
 *                      for the library's default
 * @param cpythonContext {@code --cpython-context NAME}: the script's {@code --context} (fork, spawn,
 *                      forkserver), or {@code null} for its default (fork)
 */
public record Options(List<String> only, boolean quick, boolean cpython, Path cpythonScript, String python,
                      Path out, boolean help, int warmups, String serializer, String cpythonContext) {

    /** The usage text. */
    public static final String USAGE = """
            usage: Main [--only a,b] [--quick] [--cpython] [--cpython-script PATH] [--python EXE] [--out FILE]
                        [--warmups N] [--serializer CLASS] [--cpython-context NAME]
              --only a,b             workloads to run (default: all Java workloads); names only CPython
                                     has run on the CPython side only
              --quick                small sizes (the README's sizes in parentheses)
              --cpython              after the Java workloads, run shared/bench/python/mp_baseline.py
                                     for the same names and print a Java/CPython ratio table
              --cpython-script PATH  mp_baseline.py to run (default: found by walking up from the
                                     current directory to a folder holding shared/bench/python/)
              --python EXE           Python interpreter (default python3)
              --out FILE             also append every JSON line (Java and CPython) to FILE
              --warmups N            warm-up repetitions of the Java workloads (default 1, the README's
                                     like-for-like rule); more gives the JIT time, labelled in meta
              --serializer CLASS     the default context's serializer (e.g.
                                     org.multiprocessing4j.kryo.KryoSerializer); default: the library's
              --cpython-context NAME the CPython script's start method (fork, spawn, forkserver;
                                     default: the script's, fork), e.g. spawn for manager start
            """;

    /** Copies {@code only}. */
    public Options {
        only = List.copyOf(only);
    }

    /**
     * Parses {@code args}. Blank arguments are ignored (an empty {@code -Dbench.args} yields one).
     *
     * @throws IllegalArgumentException on an unknown option or a missing value, with a message saying which
     */
    public static Options parse(String... args) {
        List<String> only = new ArrayList<>();
        boolean quick = false;
        boolean cpython = false;
        boolean help = false;
        Path script = null;
        Path out = null;
        String python = "python3";
        int warmups = Repeat.WARMUP;
        String serializer = null;
        String cpythonContext = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i].strip();
            switch (a) {
                case "" -> { }
                case "--quick" -> quick = true;
                case "--cpython" -> cpython = true;
                case "-h", "--help" -> help = true;
                case "--only" -> Arrays.stream(value(args, ++i, a).split(","))
                        .map(String::strip).filter(s -> !s.isEmpty()).forEach(only::add);
                case "--cpython-script" -> script = Path.of(value(args, ++i, a));
                case "--python" -> python = value(args, ++i, a);
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--warmups" -> warmups = positive(value(args, ++i, a), a);
                case "--serializer" -> serializer = value(args, ++i, a);
                case "--cpython-context" -> cpythonContext = value(args, ++i, a);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return new Options(only, quick, cpython, script, python, out, help, warmups, serializer, cpythonContext);
    }

    private static int positive(String text, String option) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a whole number of at least 1, got " + text);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }
}
