package org.multiprocessing4j.internal.launch;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.multiprocessing4j.Context;

/**
 * The command line and environment of a child JVM, computed once per {@link Context}.
 *
 * <p>{@code java [inherited options] [native access] [context options] [collector defaults, see {@link ChildGcDefaults}] [-Dk=v...] [AOT cache, see {@link AotCache}]
 * -cp <parent class path> [--module-path <parent module path> --add-modules ALL-MODULE-PATH]
 * (ChildMain | -m org.multiprocessing4j/ChildMain)}. Inherited options drop what must not be copied:
 * debugger agents (their port is taken), the parent's own class-data/AOT flags, its Flight Recorder recording
 * (children would write the parent's file), and launcher internals.
 */
public final class JvmCommand {
    static final String CHILD_MAIN = ChildMain.class.getName();
    /** The {@code nice} program, for background commands, if this machine has one where expected. */
    private static final Optional<Path> NICE = Stream.of("/usr/bin/nice", "/bin/nice").map(Path::of)
            .filter(Files::isExecutable).findFirst();

    private final List<String> options;
    private final List<String> launchTail;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final boolean inheritIO;
    private final OutputMode outputMode;
    private final String serializer;
    private final Duration startTimeout;
    private final Path javaExecutable;
    private final AotCache aotCache;
    /** Words before the java executable: {@code nice -n 19} for a background command, else none. */
    private final List<String> prefix;

    private JvmCommand(Context ctx) {
        this.javaExecutable = ctx.javaExecutable();
        this.environment = ctx.environment();
        this.workingDirectory = ctx.workingDirectory().orElse(null);
        this.inheritIO = ctx.inheritIO();
        this.outputMode = ctx.logOutput() ? OutputMode.LOGGED : ctx.tagOutput() ? OutputMode.TAGGED : OutputMode.RAW;
        this.serializer = ctx.serializer().getName();
        this.startTimeout = ctx.startTimeout();

        List<String> a = new ArrayList<>();
        Map<String, String> childEnvironment = ChildGcDefaults.childEnvironment(ctx.environment());
        if (ctx.inheritJvmOptions()) {
            a.addAll(ChildGcDefaults.inherited(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(JvmCommand::inheritable).toList(), ctx.jvmOptions(), System.getenv()));
        }
        Module self = JvmCommand.class.getModule();
        a.add("--enable-native-access=" + (self.isNamed() ? self.getName() : "ALL-UNNAMED"));
        a.addAll(ctx.jvmOptions());
        List<String> defaults = ChildGcDefaults.defaults(a, childEnvironment);
        a.addAll(defaults);
        if (!defaults.isEmpty()) {
            a.add("-D" + ChildGcDefaults.GIVEN_PROPERTY + "=" + String.join(",", defaults));
        }
        ctx.systemProperties().forEach((k, v) -> a.add("-D" + k + "=" + v));
        this.options = List.copyOf(a);
        a.clear();
        // NOTE: absolute: a relative entry would resolve against the child's working directory, which may differ
        String classPath = absolutePaths(System.getProperty("java.class.path", ""));
        if (!classPath.isEmpty()) {
            a.add("-cp");
            a.add(classPath);
        }
        String modulePath = absolutePaths(System.getProperty("jdk.module.path", ""));
        if (!modulePath.isEmpty()) {
            a.add("--module-path");
            a.add(modulePath);
            a.add("--add-modules");
            a.add("ALL-MODULE-PATH");
        }
        if (self.isNamed()) {
            a.add("-m");
            a.add(self.getName() + "/" + CHILD_MAIN);
        } else {
            a.add(CHILD_MAIN);
        }
        this.launchTail = List.copyOf(a);
        this.prefix = List.of();
        this.aotCache = new AotCache(this);
    }

    private JvmCommand(JvmCommand base, List<String> extraOptions, boolean inheritIO, boolean background) {
        this.javaExecutable = base.javaExecutable;
        this.environment = base.environment;
        this.workingDirectory = base.workingDirectory;
        this.inheritIO = inheritIO;
        this.outputMode = base.outputMode;
        this.serializer = base.serializer;
        this.startTimeout = base.startTimeout;
        List<String> o = new ArrayList<>(base.options);
        o.addAll(extraOptions);
        this.options = List.copyOf(o);
        this.launchTail = base.launchTail;
        this.prefix = background ? NICE.map(nice -> List.of(nice.toString(), "-n", "19")).orElse(List.of()) : List.of();
        this.aotCache = null;
    }

    /**
     * The same command with more JVM options, used as is (no AOT cache of its own).
     *
     * @param background run it at the lowest CPU priority ({@code nice -n 19}, where a {@code nice} program
     *        exists; it execs the JVM, so the child's pid is the JVM's): for work nobody waits for, such
     *        as training an AOT cache, which must not take CPU from the application's own children
     */
    JvmCommand withOptions(List<String> extraOptions, boolean inheritIO, boolean background) {
        return new JvmCommand(this, extraOptions, inheritIO, background);
    }

    public static JvmCommand of(Context ctx) {
        return new JvmCommand(ctx);
    }

    /**
     * {@code paths} (a class or module path) with each relative entry made absolute against this JVM's working
     * directory; an empty entry (the working directory itself) becomes that directory.
     */
    static String absolutePaths(String paths) {
        if (paths.isEmpty()) {
            return paths;
        }
        Path here = Path.of(System.getProperty("user.dir"));
        List<String> out = new ArrayList<>();
        for (String entry : paths.split(File.pathSeparator, -1)) {
            try {
                out.add(here.resolve(entry).toString());
            } catch (InvalidPathException unusual) {
                out.add(entry); // NOTE: passed on as it was; the child's JVM reports it if it matters
            }
        }
        return String.join(File.pathSeparator, out);
    }

    static boolean inheritable(String option) {
        return !(option.startsWith("-agentlib:jdwp") || option.startsWith("-Xrunjdwp") || option.startsWith("-Xdebug")
                || option.startsWith("-XX:AOTCache") || option.startsWith("-XX:AOTMode") || option.startsWith("-XX:AOTConfiguration")
                || option.startsWith("-XX:SharedArchiveFile") || option.startsWith("-XX:+AutoCreateSharedArchive")
                // NOTE: each child would write (and overwrite) the parent's archive or class list at its exit
                || option.startsWith("-XX:ArchiveClassesAtExit") || option.startsWith("-XX:DumpLoadedClassList")
                || option.startsWith("-Djava.class.path") || option.startsWith("-Djdk.module.")
                || option.startsWith("-Dsun.java.command") || option.startsWith("-Dsun.java.launcher")
                || option.startsWith("-Djdk.internal.vm.ci") || option.equals("-Xshare:dump")
                || option.startsWith("-D" + ChildGcDefaults.GIVEN_PROPERTY + "=")
                // NOTE: a child inheriting the parent's recording would write the same file and clobber it
                || option.startsWith("-XX:StartFlightRecording")
                // NOTE: so would a log written to a file, and a JMX agent on a fixed port fails every child's boot
                || logsToFile(option) || option.startsWith("-Xloggc:")
                || option.startsWith("-Dcom.sun.management.jmxremote.port=")
                || option.startsWith("-Dcom.sun.management.jmxremote.rmi.port="));
    }

    /**
     * True for a unified-logging option that writes to a file: {@code -Xlog:what:output[:...]} whose output is
     * neither empty nor {@code stdout}/{@code stderr} (or their numbers {@code #0}/{@code #1}). NOTE: the
     * {@code file=} prefix is optional ({@code -Xlog:gc:gc.log} writes gc.log), and a JVM that opens an existing
     * log file first rotates it away ({@code gc.log.0}, ...): every child inheriting it pushed the parent's
     * log out. {@code -Xlog:async...} (a mode, not a selection) holds no output.
     */
    static boolean logsToFile(String option) {
        if (!option.startsWith("-Xlog:")) {
            return false;
        }
        String[] fields = option.substring("-Xlog:".length()).split(":", 3);
        if (fields.length < 2 || fields[0].equals("async")) {
            return false;
        }
        String output = fields[1];
        return !(output.isEmpty() || output.equals("stdout") || output.equals("stderr") || output.equals("#0") || output.equals("#1"));
    }

    /** The full command line of the next child: with an AOT cache's options once one is ready. */
    public List<String> argv() {
        List<String> argv = new ArrayList<>(prefix.size() + options.size() + launchTail.size() + 4);
        argv.addAll(prefix);
        argv.add(javaExecutable.toString());
        argv.addAll(options);
        if (aotCache != null) {
            argv.addAll(aotCache.options());
        }
        argv.addAll(launchTail);
        return argv;
    }

    /**
     * Waits until the AOT cache of this command exists, training one if needed. Returns false if this
     * command cannot use one or training failed. For tests and benchmarks; children never wait for it.
     */
    public boolean awaitAotCache(Duration timeout) {
        if (aotCache == null || aotCache.file() == null) {
            return false;
        }
        aotCache.options(true); // NOTE: a training started for a waiter runs at normal priority (see AotCache.options)
        return aotCache.awaitTraining(timeout);
    }

    /** The JVM options (between {@code java} and the class path), without AOT cache options. */
    List<String> options() {
        return options;
    }

    ProcessBuilder processBuilder() {
        ProcessBuilder pb = new ProcessBuilder(argv());
        pb.environment().putAll(environment);
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.redirectOutput(inheritIO ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        return pb;
    }

    Path javaExecutable() {
        return javaExecutable;
    }

    boolean inheritIO() {
        return inheritIO;
    }

    OutputMode outputMode() {
        return outputMode;
    }

    String serializer() {
        return serializer;
    }

    Duration startTimeout() {
        return startTimeout;
    }
}
