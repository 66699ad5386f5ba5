package org.multiprocessing4j.internal.launch;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.internal.Configuration;
import org.multiprocessing4j.internal.manager.ManagerTraining;
import org.multiprocessing4j.internal.pool.PoolTraining;
import org.multiprocessing4j.internal.queue.QueueTraining;
import org.multiprocessing4j.internal.ring.RingWarmUp;
import org.multiprocessing4j.internal.sync.SyncTraining;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.multiprocessing4j.internal.wire.Serializers;

/**
 * A JDK 25 AOT cache (JEP 483/514) for child JVMs: classes of the JDK, this library and the application
 * loaded and linked ahead of time, which roughly halves a child's boot.
 *
 * <p>Used only where it can work: every class-path and module-path entry is a jar (the JVM refuses
 * directories), children run the same {@code java} as this JVM, and the options name no cache of their
 * own. {@code -Dmultiprocessing4j.aotCache=false} turns it off (see
 * {@link org.multiprocessing4j.internal.Configuration}).
 *
 * <p>Lifecycle. The first child of a command starts without a cache while a background <i>training</i>
 * child (a real child JVM running a representative target under {@code -XX:AOTCacheOutput}) writes one to
 * a temporary file, which is then moved into place atomically. Later children start with
 * {@code -XX:AOTCache=<file> -XX:AOTMode=auto}: if the JVM finds the file unusable it starts without it
 * ({@code auto}), and its complaints are silenced so they never reach the application's stdout.
 *
 * <p>Staleness. The file name is a SHA-256 of the java launcher, the JVM version, the options, and each
 * jar's path, size and modification time; a rebuilt jar therefore gets a new cache, never a stale one,
 * and the caches of earlier builds of the same application are deleted when the new one is in place.
 * Files live in {@code aot/} under {@link org.multiprocessing4j.internal.Configuration#cacheBase()}.
 *
 * <p>Size. A cache is about 20 MB, one per application (launcher, options and jar paths): a machine that runs
 * many (test suites, tools, old checkouts) would pile them up. A JVM that uses a cache moves its
 * modification time to now (at most once an hour), so that time says when it was last used; after each
 * training the directory keeps the {@value #MAX_CACHES} most recently used caches, and none unused for
 * {@link #MAX_IDLE}. Deleting a cache that a running application uses is harmless: its JVMs keep their
 * mapping, and its next child trains a new one.
 * Thread-safe.
 */
final class AotCache {
    private static final Duration TRAINING_LIMIT = Duration.ofMinutes(2);
    /** How long an abandoned training's processes are waited for after their SIGKILL. */
    private static final Duration ABANDON_WAIT = Duration.ofSeconds(2);
    /** Caches the directory keeps at most, the most recently used ones. */
    static final int MAX_CACHES = 8;
    /** A cache unused for this long is deleted at the next training of any application. */
    static final Duration MAX_IDLE = Duration.ofDays(30);
    /** How stale a used cache's modification time may be before a JVM that uses it moves it to now. */
    private static final Duration TOUCH_AFTER = Duration.ofHours(1);
    private static final List<String> QUIET = List.of("-XX:AOTMode=auto", "-Xlog:aot=off", "-Xlog:cds=off");

    private final JvmCommand command;
    private final Path file;
    private CompletableFuture<Void> training;
    /** The training child while it runs (guarded by this). */
    private ChildJvm trainer;
    /** Set at this JVM's exit: no training child is started after it (guarded by this). */
    private boolean abandoned;
    /** Whether this object has marked its cache as used (once per object). */
    private boolean touched;

    AotCache(JvmCommand command) {
        this.command = command;
        this.file = eligible(command) ? cacheDirectory().resolve("child-" + key(command, false) + "-" + key(command, true) + ".aot") : null;
    }

    /** The options that make the next child use the cache, or none yet (then training may start in the background). */
    List<String> options() {
        return options(false);
    }

    /**
     * As {@link #options()}; {@code awaited}: the caller is about to wait for the training
     * ({@link #awaitTraining}), so one started now runs at normal priority. A background training runs at the
     * lowest ({@code nice -n 19}) so that it does not slow the application; but a caller that waits for it has
     * nothing to run meanwhile, and on a machine whose CPUs are busy (other programs, a loaded CI runner) a
     * niced trainer gets almost no CPU: {@code prestart()} then waited out the whole training limit (2 min)
     * and ended without a cache.
     */
    synchronized List<String> options(boolean awaited) {
        if (file == null) {
            return List.of();
        }
        if (Files.isRegularFile(file)) {
            if (!touched) {
                touched = true;
                markUsed(file, Instant.now());
            }
            List<String> options = new ArrayList<>(QUIET);
            options.add("-XX:AOTCache=" + file);
            return options;
        }
        if (training == null) {
            ExitSequence.add(ExitSequence.Phase.CONTEXTS, this::abandonTraining);
            training = CompletableFuture.runAsync(() -> train(!awaited), r -> {
                Thread t = new Thread(r, "mp4j-aot-training");
                t.setDaemon(true);
                t.start();
            });
        }
        return List.of();
    }

    /** Waits for a training run this command started, if any (for tests and benchmarks). */
    boolean awaitTraining(Duration timeout) {
        CompletableFuture<Void> t;
        synchronized (this) {
            t = training;
        }
        if (t == null) {
            return file != null && Files.isRegularFile(file);
        }
        try {
            t.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return false;
        }
        return Files.isRegularFile(file);
    }

    Path file() {
        return file;
    }

    /** Trains the cache in a child JVM; {@code background}: at the lowest CPU priority. */
    private void train(boolean background) {
        Path tmp = temporaryFile();
        try {
            Files.createDirectories(file.getParent());
            deleteAbandonedTrainings();
            // NOTE: in the background at the lowest priority: on a small machine a trainer at normal priority
            // slowed the application's first seconds (Pool(2) chunksize-1 maps ran at about half speed meanwhile).
            JvmCommand trainer = command.withOptions(List.of("-XX:AOTCacheOutput=" + tmp), false, background);
            ObjectCodec codec = new ObjectCodec(Serializers.create(command.serializer(), AotCache.class.getClassLoader()));
            ChildJvm child = ChildJvm.launch(trainer);
            boolean late;
            synchronized (this) {
                late = abandoned;
                if (!late) {
                    this.trainer = child;
                }
            }
            if (late) {
                child.kill(); // NOTE: this JVM is exiting; a trainer started now would only be abandoned
                return;
            }
            child.awaitConnected();
            child.run(new RunOrder("mp4j-aot-training", false, new int[0], codec.encode(trainingTarget("warm"), "the AOT training target")));
            Integer code = child.exitCode().get(TRAINING_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            if (code == 0 && Files.size(tmp) > 0) {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                deleteSupersededCaches();
                prune(file.getParent(), file, Instant.now());
            }
        } catch (Exception e) {
            // no cache: children start without one, as before
        } finally {
            synchronized (this) {
                trainer = null;
            }
            deleteTemporaryFiles(tmp);
        }
    }

    /**
     * At this JVM's normal exit ({@link ExitSequence}, contexts phase): a training still running is ended and
     * its temporary files removed. Left alone, the training child would see its parent gone and halt, and
     * the JVM would write its training record on the way out (15-20 MB, {@code .tmp.config}) for nobody;
     * a program shorter than a training (a few seconds) would leave one at every run. The child and what it
     * started (the JVM's cache-assembly process) are killed with SIGKILL, which writes nothing.
     */
    void abandonTraining() {
        ChildJvm child;
        synchronized (this) {
            abandoned = true;
            child = trainer;
        }
        if (child == null || file == null) {
            return;
        }
        ProcessHandle handle = child.handle();
        List<ProcessHandle> tree = new ArrayList<>(handle.descendants().toList());
        tree.add(handle);
        for (ProcessHandle p : tree) {
            p.destroyForcibly();
        }
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(ABANDON_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception stillThere) {
                // NOTE: a process that outlives a SIGKILL this long is stuck in the kernel; its files are removed anyway
            }
        }
        deleteTemporaryFiles(temporaryFile());
    }

    /** The file a training writes before it is moved into place: named after this JVM's pid. */
    private Path temporaryFile() {
        return file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    }

    private static void deleteTemporaryFiles(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(Path.of(tmp + ".config"));
        } catch (IOException ignored) {
            // best effort
        }
    }

    /**
     * Removes {@code *.aot.<pid>.tmp} files (and their {@code .config}) left by trainings whose JVM died
     * before it could clean up: the pid in the name no longer runs.
     */
    private void deleteAbandonedTrainings() throws IOException {
        try (var temps = Files.newDirectoryStream(file.getParent(), "child-*.aot.*.tmp*")) {
            for (Path temp : temps) {
                String name = temp.getFileName().toString();
                String[] parts = name.split("\\.");
                // child-<app>-<build>.aot.<pid>.tmp[.config]
                if (parts.length >= 4 && parts[2].chars().allMatch(Character::isDigit)
                        && ProcessHandle.of(Long.parseLong(parts[2])).filter(ProcessHandle::isAlive).isEmpty()) {
                    Files.deleteIfExists(temp);
                }
            }
        }
    }

    /** Removes the caches of earlier builds of the same application (same launcher, options and jar paths). */
    private void deleteSupersededCaches() throws IOException {
        String name = file.getFileName().toString();
        String application = name.substring(0, name.lastIndexOf('-') + 1);
        try (var siblings = Files.newDirectoryStream(file.getParent(), application + "*.aot")) {
            for (Path old : siblings) {
                if (!old.equals(file)) {
                    Files.deleteIfExists(old);
                }
            }
        }
    }

    /**
     * Moves the modification time of the cache {@code cache} to {@code now} if it is more than an hour
     * older: it then tells {@link #prune} when the cache was last used. Best effort.
     */
    static void markUsed(Path cache, Instant now) {
        try {
            if (Files.getLastModifiedTime(cache).toInstant().isBefore(now.minus(TOUCH_AFTER))) {
                Files.setLastModifiedTime(cache, FileTime.from(now));
            }
        } catch (IOException ignored) {
            // a cache deleted meanwhile, or a read-only directory: nothing to mark
        }
    }

    /**
     * Deletes the caches ({@code child-*.aot}) in {@code directory} beyond the {@value #MAX_CACHES} most
     * recently used, and those unused for {@link #MAX_IDLE} at {@code now}; never {@code keep} (the cache
     * just made). Best effort.
     *
     * @return the caches deleted
     */
    static List<Path> prune(Path directory, Path keep, Instant now) {
        List<Path> deleted = new ArrayList<>();
        List<Map.Entry<Path, Instant>> caches = new ArrayList<>();
        try (var files = Files.newDirectoryStream(directory, "child-*.aot")) {
            for (Path cache : files) {
                if (!cache.equals(keep)) {
                    try {
                        caches.add(Map.entry(cache, Files.getLastModifiedTime(cache).toInstant()));
                    } catch (IOException gone) {
                        // deleted by another JVM meanwhile
                    }
                }
            }
        } catch (IOException unreadable) {
            return deleted;
        }
        caches.sort(Map.Entry.<Path, Instant>comparingByValue().reversed());
        Instant idleSince = now.minus(MAX_IDLE);
        for (int i = 0; i < caches.size(); i++) {
            Map.Entry<Path, Instant> cache = caches.get(i);
            // NOTE: keep counts as one of the MAX_CACHES
            if (i + 1 >= MAX_CACHES || cache.getValue().isBefore(idleSince)) {
                try {
                    if (Files.deleteIfExists(cache.getKey())) {
                        deleted.add(cache.getKey());
                    }
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
        return deleted;
    }

    /**
     * What the training child runs: a capturing lambda, so lambda deserialization is trained too, that
     * passes messages through a shared-memory ring, so the futex and pidfd calls are linked in the cache,
     * small items through a queue, so that its put and get paths are linked and profiled there too, runs a
     * manager, takes locks and a semaphore and increments a shared value under its lock from two threads,
     * and passes pool tasks through a worker's code (their classes and method profiles).
     */
    static SerializableRunnable trainingTarget(String word) {
        return () -> {
            if (Objects.hash(word, ProcessTree.self().name()) == 42) {
                System.out.print("");
            }
            RingWarmUp.ringRoundTrips();
            ManagerTraining.exercise();
            QueueTraining.exercise();
            SyncTraining.exercise();
            PoolTraining.exercise();
        };
    }

    private static boolean eligible(JvmCommand command) {
        if (!Configuration.aotCacheEnabled()) {
            return false;
        }
        Path ourJava = Path.of(System.getProperty("java.home"), "bin", "java");
        if (!command.javaExecutable().equals(ourJava) || Runtime.version().feature() < 25) {
            return false;
        }
        if (command.options().stream().anyMatch(o -> o.startsWith("-XX:AOT") || o.startsWith("-Xshare:off")
                || o.startsWith("-XX:SharedArchiveFile"))) {
            return false;
        }
        List<String> entries = pathEntries();
        return !entries.isEmpty() && entries.stream().allMatch(e -> e.endsWith(".jar") && Files.isRegularFile(Path.of(e)));
    }

    private static List<String> pathEntries() {
        List<String> entries = new ArrayList<>();
        for (String property : List.of("java.class.path", "jdk.module.path")) {
            String value = System.getProperty(property, "");
            for (String e : value.split(File.pathSeparator)) {
                if (!e.isEmpty()) {
                    entries.add(e);
                }
            }
        }
        return entries;
    }

    /**
     * A hash of what names the application ({@code versions} false: launcher, JVM, options, jar paths) or
     * of its build ({@code versions} true: also each jar's size and modification time).
     */
    private static String key(JvmCommand command, boolean versions) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(command.javaExecutable().toString().getBytes(StandardCharsets.UTF_8));
            sha.update(Runtime.version().toString().getBytes(StandardCharsets.UTF_8));
            for (String o : command.options()) {
                sha.update(o.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            for (String e : pathEntries()) {
                Path p = Path.of(e);
                String entry = versions ? p.toAbsolutePath() + "|" + Files.size(p) + "|" + Files.getLastModifiedTime(p).toMillis()
                        : p.toAbsolutePath().toString();
                sha.update(entry.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException("cannot compute the AOT cache key", e);
        }
    }

    private static Path cacheDirectory() {
        return Configuration.cacheBase().resolve("aot");
    }
}
