package org.multiprocessing4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Multiprocessing;
import org.multiprocessing4j.Serializer;
import org.multiprocessing4j.bench.cpython.CPythonBaseline;
import org.multiprocessing4j.bench.report.RatioTable;

/**
 * The side-by-side benchmark: runs the selected Java workloads, then (with {@code --cpython}) CPython's
 * {@code mp_baseline.py} for the same names, prints both sides' JSON lines to stdout in that order,
 * then a ratio table. Progress and diagnostics go to stderr. See {@link Options#USAGE} and the module's
 * README.md.
 *
 * <p>Run it with: {@code ./mvnw -q -Pbench -DskipTests package -Dbench.args="--quick --cpython --only noop_probe,process_start"}.
 *
 * <p>Exit status: 0; 1 if a Java workload threw (its {@code error} line says why); 2 on a usage error.
 * A missing {@code python3} or script is reported on stderr and the run continues Java-only.
 */
public final class Main {

    private Main() {
    }

    /** Entry point; exits the JVM with the status above. */
    public static void main(String[] args) throws IOException, InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
            if (options.serializer() != null) {
                useSerializer(options.serializer());
            }
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(Options.USAGE);
            System.out.println("Java workloads: " + String.join(", ", Workloads.names()));
            return;
        }
        List<String> argv = Arrays.stream(args).filter(a -> !a.isBlank()).toList();
        System.exit(run(options, argv));
    }

    private static int run(Options o, List<String> argv) throws IOException, InterruptedException {
        Repeat.useWarmups(o.warmups());
        Set<String> requested = new LinkedHashSet<>(o.only().isEmpty() ? Workloads.names() : o.only());
        List<Workload> java = Workloads.all().stream().filter(w -> requested.contains(w.name())).toList();
        for (String name : requested) {
            if (Workloads.byName(name).isEmpty()) {
                System.err.println("bench: no Java workload named " + name + " (Java has: "
                        + String.join(", ", Workloads.names()) + ")" + (o.cpython() ? "; CPython only" : "; skipped"));
            }
        }
        try (JsonLines out = new JsonLines(System.out, o.out())) {
            List<RatioTable.JavaLine> javaLines = List.of();
            boolean failed = false;
            if (!java.isEmpty()) {
                Harness harness = new Harness(out, o.quick());
                javaLines = harness.run(java, argv);
                failed = harness.failed();
            }
            List<Line> cpythonLines = o.cpython() ? runCPython(o, requested, out) : List.of();
            if (o.warmups() != Repeat.WARMUP) {
                System.out.println();
                System.out.println("NOTE: Java ran " + o.warmups() + " warm-up repetitions (--warmups), CPython "
                        + Repeat.WARMUP + ": an extra-warm-up run, not the like-for-like comparison");
            }
            RatioTable.print(javaLines, cpythonLines, System.out);
            return failed ? 1 : 0;
        }
    }

    /**
     * Makes the default context use the serializer class named {@code name} (before any workload touches the
     * default context); the pool workloads name it in their {@code params}.
     *
     * @throws IllegalArgumentException if the class is missing or not a {@link Serializer}
     */
    private static void useSerializer(String name) {
        Class<?> type;
        try {
            type = Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("--serializer " + name + ": no such class on the class path", e);
        }
        if (!Serializer.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("--serializer " + name + " is not a " + Serializer.class.getName());
        }
        Multiprocessing.setDefaultContext(Context.builder().serializer(type.asSubclass(Serializer.class)).build());
    }

    /** Runs the CPython side for the requested names it knows; on any obstacle says why on stderr and returns nothing. */
    private static List<Line> runCPython(Options o, Set<String> requested, JsonLines out) throws InterruptedException {
        Optional<Path> script = o.cpythonScript() != null
                ? Optional.of(o.cpythonScript()).filter(Files::isRegularFile)
                : CPythonBaseline.findScript(Path.of(""));
        if (script.isEmpty()) {
            System.err.println(o.cpythonScript() != null
                    ? "bench: CPython baseline skipped: no file at " + o.cpythonScript()
                    : "bench: CPython baseline skipped: " + CPythonBaseline.SCRIPT + " not found in "
                      + Path.of("").toAbsolutePath() + " or any folder above it; pass --cpython-script PATH");
            return List.of();
        }
        CPythonBaseline baseline = new CPythonBaseline(o.python(), script.get());
        try {
            List<String> names = new ArrayList<>(requested);
            Optional<Set<String>> known = baseline.knownWorkloads();
            if (known.isPresent()) {
                for (String n : requested) {
                    if (!known.get().contains(n)) System.err.println("bench: CPython has no workload " + n + "; Java only");
                }
                names.retainAll(known.get());
            } else {
                System.err.println("bench: could not read mp_baseline.py's workload list; passing --only unfiltered");
            }
            if (names.isEmpty()) {
                System.err.println("bench: no requested workload exists on the CPython side; CPython not run");
                return List.of();
            }
            System.err.println("bench: running CPython baseline " + script.get() + " --only " + String.join(",", names)
                    + (o.quick() ? " --quick" : ""));
            CPythonBaseline.Run run = baseline.run(names, o.quick(), o.cpythonContext(), out::writeRaw);
            if (run.exitCode() != 0) {
                System.err.println("bench: CPython baseline exited with status " + run.exitCode() + ": " + run.command());
            }
            return run.lines();
        } catch (IOException e) {
            System.err.println("bench: CPython baseline skipped: cannot run '" + o.python() + "' (" + e.getMessage()
                    + "); install Python 3.11 or pass --python EXE");
            return List.of();
        }
    }
}
