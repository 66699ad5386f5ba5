package org.multiprocessing4j.bench.cpython;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.multiprocessing4j.bench.Line;
import org.multiprocessing4j.bench.json.JsonReader;

/**
 * Runs {@code python3 mp_baseline.py --only <workloads> [--quick]} and returns its JSON lines.
 * The script's stderr (its progress log) goes straight to this JVM's stderr; stdout is read line by
 * line, each line handed on unchanged as it arrives and parsed. Lines that are not JSON objects are
 * passed to stderr with a prefix. Not thread-safe; one run at a time.
 *
 * <p>{@link #run} blocks until the script exits (a full run takes minutes, {@code --quick} about
 * 35 s for all workloads). An interrupt is noticed between output lines and while waiting for the
 * exit; the script and its children are then killed and {@link InterruptedException} is thrown.
 */
public final class CPythonBaseline {

    /** Where the script lives relative to a folder that holds {@code shared/}. */
    public static final Path SCRIPT = Path.of("shared", "bench", "python", "mp_baseline.py");

    private static final Pattern KNOWN = Pattern.compile("known: (.+)$", Pattern.MULTILINE);
    private static final String NO_SUCH_WORKLOAD = "__mp4j_list_workloads__";

    private final String python;
    private final Path script;

    /**
     * @param python the interpreter command, e.g. {@code python3}
     * @param script the path of {@code mp_baseline.py}
     */
    public CPythonBaseline(String python, Path script) {
        this.python = python;
        this.script = script;
    }

    /**
     * Finds {@code shared/bench/python/mp_baseline.py} in {@code start} or any folder above it (so a
     * repository cloned next to {@code shared/} finds {@code ../shared/...}).
     */
    public static Optional<Path> findScript(Path start) {
        for (Path d = start.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
            Path candidate = d.resolve(SCRIPT);
            if (Files.isRegularFile(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /** The script path this instance runs. */
    public Path script() {
        return script;
    }

    /**
     * The workload names the script accepts for {@code --only}, in its order. The script has no list
     * option; it rejects an unknown name with "unknown workload ...; known: a, b, ...", which is read here.
     *
     * @return the names, or empty if the answer could not be read (then names are passed unfiltered)
     * @throws IOException if the interpreter cannot be started (e.g. no {@code python3} on the PATH)
     */
    public Optional<Set<String>> knownWorkloads() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(python, script.toString(), "--only", NO_SUCH_WORKLOAD)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (InputStream err = p.getErrorStream()) {
            String text = new String(err.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) return Optional.empty();
            Matcher m = KNOWN.matcher(text);
            if (!m.find()) return Optional.empty();
            return Optional.of(new LinkedHashSet<>(Arrays.asList(m.group(1).trim().split(",\\s*"))));
        } finally {
            destroyTree(p);
        }
    }

    /**
     * Runs the script for {@code workloads} and returns its parsed lines, {@code meta} first.
     *
     * @param workloads names for {@code --only}; must not be empty (the script would run everything)
     * @param quick     pass {@code --quick}
     * @param context   the script's {@code --context}, or null for its default
     * @param onLine    receives every JSON line's text as it arrives, before it is parsed
     * @return the parsed lines, in output order
     * @throws IOException          if the interpreter cannot be started or its output read
     * @throws InterruptedException if interrupted while waiting; the script is killed first
     */
    public Run run(List<String> workloads, boolean quick, String context, Consumer<String> onLine)
            throws IOException, InterruptedException {
        if (workloads.isEmpty()) throw new IllegalArgumentException("no CPython workloads to run");
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--only", String.join(",", workloads)));
        if (quick) cmd.add("--quick");
        if (context != null) cmd.addAll(List.of("--context", context));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Line> lines = new ArrayList<>();
        try (BufferedReader out = p.inputReader(StandardCharsets.UTF_8)) {
            String text;
            while ((text = out.readLine()) != null) {
                if (Thread.interrupted()) throw new InterruptedException();
                Optional<Line> line = parse(text);
                if (line.isPresent()) {
                    onLine.accept(text);
                    lines.add(line.get());
                } else if (!text.isBlank()) {
                    System.err.println("cpython (not JSON): " + text);
                }
            }
            return new Run(p.waitFor(), cmd, lines);
        } finally {
            destroyTree(p);
        }
    }

    /**
     * What one run produced.
     *
     * @param exitCode the script's exit code (0 when it finished normally)
     * @param command  the command line that ran
     * @param lines    the parsed JSON lines, in order
     */
    public record Run(int exitCode, List<String> command, List<Line> lines) {
    }

    @SuppressWarnings("unchecked")
    private static Optional<Line> parse(String text) {
        if (!text.startsWith("{")) return Optional.empty();
        try {
            return JsonReader.parse(text) instanceof Map<?, ?> m
                    ? Optional.of(new Line((Map<String, Object>) m)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static void destroyTree(Process p) {
        if (!p.isAlive()) return;
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }
}
