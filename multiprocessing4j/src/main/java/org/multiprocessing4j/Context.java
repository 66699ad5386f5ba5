package org.multiprocessing4j;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.multiprocessing4j.internal.launch.ContextLauncher;
import org.multiprocessing4j.internal.launch.JvmCommand;
import org.multiprocessing4j.internal.launch.StandbyPool;
import org.multiprocessing4j.internal.remote.RemoteObjects;
import org.multiprocessing4j.internal.wire.JdkSerializer;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.multiprocessing4j.internal.wire.Serializers;

/**
 * How child JVMs are made (Python's {@code get_context(method)}), and the factory of what uses them:
 * {@link #process}, {@link #pipe}, {@link #queue}, {@link #joinableQueue}, {@link #simpleQueue} (pipes and
 * queues made here carry their messages with this context's {@link Serializer}; the plain constructors use
 * the default context's), shared {@link #value}s and {@link #array}s.
 *
 * <p>A context is immutable once built and thread-safe. With {@link StartMethod#PRESTARTED} it owns
 * standby JVMs, which {@link #close()} ends; the default context ({@link Multiprocessing#defaultContext()})
 * is closed when the JVM exits. Closing a context does not affect processes already started from it.
 *
 * <p>Defaults: {@link StartMethod#SPAWN}; the {@code java} of the running JVM; the parent's JVM options
 * inherited (minus debugger agents, class-data/AOT flags and a Flight Recorder recording of its own);
 * {@code inheritIO} true (the child's stdout and stderr are copied to this JVM's {@code System.out}/{@code
 * System.err}, byte for byte: {@code tagOutput} and {@code logOutput} false); JDK serialization; one standby
 * JVM for {@code PRESTARTED}; 60 s for a child to boot and connect back.
 */
public final class Context implements AutoCloseable {
    private final StartMethod startMethod;
    private final Path javaExecutable;
    private final List<String> jvmOptions;
    private final boolean inheritJvmOptions;
    private final Map<String, String> systemProperties;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final boolean inheritIO;
    private final boolean tagOutput;
    private final boolean logOutput;
    private final Class<? extends Serializer> serializer;
    private final int standbyCount;
    private final Duration startTimeout;
    private final PoolWorkers poolWorkers;
    private final ContextLauncher launcher;
    private final LocalOrRemoteObjects objects;

    private Context(Builder b) {
        this.startMethod = b.startMethod;
        // NOTE: absolute: build() checked it against this JVM's directory, and a relative one would be resolved
        // against the children's working directory
        this.javaExecutable = b.javaExecutable == null ? null : b.javaExecutable.toAbsolutePath();
        this.jvmOptions = List.copyOf(b.jvmOptions);
        this.inheritJvmOptions = b.inheritJvmOptions;
        this.systemProperties = Map.copyOf(b.systemProperties);
        this.environment = Map.copyOf(b.environment);
        this.workingDirectory = b.workingDirectory;
        this.inheritIO = b.inheritIO;
        this.tagOutput = b.tagOutput;
        this.logOutput = b.logOutput;
        this.serializer = b.serializer;
        this.standbyCount = b.standbyCount;
        this.startTimeout = b.startTimeout;
        this.launcher = new ContextLauncher(JvmCommand.of(this), new ObjectCodec(Serializers.create(serializer)), standbyCount);
        this.poolWorkers = b.poolWorkers;
        this.objects = new LocalOrRemoteObjects(poolWorkers, serializer);
    }

    /** {@return a new builder, with the defaults listed above} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A new process with a default name ({@code Process-N}) that runs {@code target} in a child JVM.
     *
     * @param target the code the child process runs
     * @return a new process, not started
     */
    public Process process(SerializableRunnable target) {
        return new Process(null, Objects.requireNonNull(target, "target"), this);
    }

    /**
     * A new process named {@code name} that runs {@code target} in a child JVM.
     *
     * @param name the process's name
     * @param target the code the child process runs
     * @return a new process, not started
     */
    public Process process(String name, SerializableRunnable target) {
        return new Process(Objects.requireNonNull(name, "name"), Objects.requireNonNull(target, "target"), this);
    }

    /**
     * A {@link Pool} of {@code processes} workers made by this context (Python's {@code ctx.Pool(n)}).
     *
     * @param processes the number of worker processes, at least 1
     * @return the started pool
     * @throws IllegalArgumentException if {@code processes} is less than 1
     * @throws IllegalStateException if this context is closed
     */
    public Pool pool(int processes) {
        return Pool.builder().context(this).processes(processes).build();
    }

    /**
     * A {@link ProcessPoolExecutor} of {@code maxWorkers} workers made by this context.
     *
     * @param maxWorkers the number of worker processes, at least 1
     * @return the executor
     * @throws IllegalArgumentException if {@code maxWorkers} is less than 1
     * @throws IllegalStateException if this context is closed
     */
    public ProcessPoolExecutor executor(int maxWorkers) {
        return ProcessPoolExecutor.builder().context(this).maxWorkers(maxWorkers).build();
    }

    /**
     * Starts a {@link Manager} whose process this context makes (Python's {@code ctx.Manager()}).
     *
     * @return the started manager
     * @throws ProcessError if the manager process cannot start
     */
    public Manager manager() {
        return Manager.builder().context(this).start();
    }

    /** {@return a duplex {@link Pipe} whose messages travel with this context's serializer} */
    public Pipe pipe() {
        return Pipe.open(true, serializer.getName());
    }

    /**
     * A {@link Pipe}, duplex or one-way, whose messages travel with this context's serializer.
     *
     * @param duplex {@code true} for two ends that both send and receive; {@code false}: the left end only receives, the right end only sends
     * @return a new pipe
     */
    public Pipe pipe(boolean duplex) {
        return Pipe.open(duplex, serializer.getName());
    }

    /**
     * A {@link Queue} without an item limit whose items travel with this context's serializer.
     *
     * @param <T> the type of the items
     * @return a new queue
     */
    public <T> Queue<T> queue() {
        return queue(0);
    }

    /**
     * A {@link Queue} of at most {@code maxsize} items whose items travel with this context's serializer.
     *
     * @param <T> the type of the items
     * @param maxsize the most items the queue holds; zero or negative: unbounded
     * @return a new queue
     */
    public <T> Queue<T> queue(int maxsize) {
        return objects.queue(maxsize);
    }

    /**
     * A {@link JoinableQueue} whose items travel with this context's serializer.
     *
     * @param <T> the type of the items
     * @return a new queue
     */
    public <T> JoinableQueue<T> joinableQueue() {
        return joinableQueue(0);
    }

    /**
     * A {@link JoinableQueue} of at most {@code maxsize} items, with this context's serializer.
     *
     * @param <T> the type of the items
     * @param maxsize the most items the queue holds; zero or negative: unbounded
     * @return a new queue
     */
    public <T> JoinableQueue<T> joinableQueue(int maxsize) {
        return objects.joinableQueue(maxsize);
    }

    /**
     * A {@link SimpleQueue} whose items travel with this context's serializer.
     *
     * @param <T> the type of the items
     * @return a new queue
     */
    public <T> SimpleQueue<T> simpleQueue() {
        return objects.simpleQueue();
    }

    /** {@return a new {@link Lock} (synchronization primitives carry no serializer: the same as {@code new Lock()}; on a cluster, the cluster's)} */
    public Lock lock() {
        return objects.lock();
    }

    /** {@return a new {@link RLock} (on a cluster, the cluster's)} */
    public RLock rLock() {
        return objects.rLock();
    }

    /**
     * A new {@link Semaphore} with {@code value} permits.
     *
     * @param value the initial number of permits
     * @return a new {@link Semaphore} with {@code value} permits
     */
    public Semaphore semaphore(int value) {
        return objects.semaphore(value);
    }

    /**
     * A new {@link BoundedSemaphore} with {@code value} permits.
     *
     * @param value the initial number of permits
     * @return a new {@link BoundedSemaphore} with {@code value} permits
     */
    public BoundedSemaphore boundedSemaphore(int value) {
        return objects.boundedSemaphore(value);
    }

    /** {@return a new, cleared {@link Event}} */
    public Event event() {
        return objects.event();
    }

    /** {@return a new {@link Condition} with an {@link RLock} of its own} */
    public Condition condition() {
        return new Condition();
    }

    /**
     * A new {@link Condition} bound to {@code lock}.
     *
     * @param lock the lock the condition waits with
     * @return a new {@link Condition} bound to {@code lock}
     */
    public Condition condition(Lock lock) {
        return new Condition(lock);
    }

    /**
     * A new {@link Condition} bound to {@code lock}.
     *
     * @param lock the lock the condition waits with
     * @return a new {@link Condition} bound to {@code lock}
     */
    public Condition condition(RLock lock) {
        return new Condition(lock);
    }

    /**
     * A new {@link Barrier} for {@code parties} parties.
     *
     * @param parties the number of parties (threads in any process) that must call {@code await} to pass
     * @return a new barrier
     */
    public Barrier barrier(int parties) {
        return new Barrier(parties);
    }

    /**
     * A new {@link Barrier} for {@code parties} parties with an action (may be null) and a default timeout (may be null).
     *
     * @param parties the number of parties (threads in any process) that must call {@code await} to pass
     * @param action run by the last party to arrive, before any is released; or {@code null}
     * @param timeout the default timeout of {@link Barrier#await()}, or {@code null} for none
     * @return a new barrier
     */
    public Barrier barrier(int parties, SerializableRunnable action, Duration timeout) {
        return new Barrier(parties, action, timeout);
    }

    // Shared values and arrays (Python's ctx.Value / ctx.Array): the same as Value.ofX / Array.ofX, with a lock;
    // the raw forms are Value.rawX / Array.rawX. A context adds nothing to them: they hold no serialized items.

    /**
     * {@link Value#ofByte(byte)}: a shared {@code byte} with its own {@link RLock}.
     *
     * @param initial the initial value
     * @return the new value
     */
    public ByteValue value(byte initial) {
        return Value.ofByte(initial);
    }

    /**
     * {@link Value#ofShort(short)}: a shared {@code short} with its own {@link RLock}.
     *
     * @param initial the initial value
     * @return the new value
     */
    public ShortValue value(short initial) {
        return Value.ofShort(initial);
    }

    /**
     * {@link Value#ofInt(int)}: a shared {@code int} with its own {@link RLock}.
     *
     * @param initial the initial value
     * @return the new value
     */
    public IntValue value(int initial) {
        return Value.ofInt(initial);
    }

    /**
     * {@link Value#ofLong(long)}: a shared {@code long} with its own {@link RLock}.
     *
     * @param initial the initial value
     * @return the new value
     */
    public LongValue value(long initial) {
        return Value.ofLong(initial);
    }

    /**
     * {@link Value#ofFloat(float)}: a shared {@code float} with its own {@link RLock}.
     *
     * @param initial the initial value
     * @return the new value
     */
    public FloatValue value(float initial) {
        return Value.ofFloat(initial);
    }

    /**
     * {@link Value#ofDouble(double)}: a shared {@code double} with its own {@link RLock}.
     *
     * @param initial the initial value
     * @return the new value
     */
    public DoubleValue value(double initial) {
        return Value.ofDouble(initial);
    }

    /**
     * {@link Value#ofChar(char)}: a shared {@code char} with its own {@link RLock}.
     *
     * @param initial the initial value
     * @return the new value
     */
    public CharValue value(char initial) {
        return Value.ofChar(initial);
    }

    /**
     * {@link Array#ofBytes(byte[])}: a shared copy of {@code initial} with its own {@link RLock}.
     *
     * @param initial the elements to copy
     * @return the new array
     */
    public ByteArray array(byte[] initial) {
        return Array.ofBytes(initial);
    }

    /**
     * {@link Array#ofShorts(short[])}: a shared copy of {@code initial} with its own {@link RLock}.
     *
     * @param initial the elements to copy
     * @return the new array
     */
    public ShortArray array(short[] initial) {
        return Array.ofShorts(initial);
    }

    /**
     * {@link Array#ofInts(int[])}: a shared copy of {@code initial} with its own {@link RLock}.
     *
     * @param initial the elements to copy
     * @return the new array
     */
    public IntArray array(int[] initial) {
        return Array.ofInts(initial);
    }

    /**
     * {@link Array#ofLongs(long[])}: a shared copy of {@code initial} with its own {@link RLock}.
     *
     * @param initial the elements to copy
     * @return the new array
     */
    public LongArray array(long[] initial) {
        return Array.ofLongs(initial);
    }

    /**
     * {@link Array#ofFloats(float[])}: a shared copy of {@code initial} with its own {@link RLock}.
     *
     * @param initial the elements to copy
     * @return the new array
     */
    public FloatArray array(float[] initial) {
        return Array.ofFloats(initial);
    }

    /**
     * {@link Array#ofDoubles(double[])}: a shared copy of {@code initial} with its own {@link RLock}.
     *
     * @param initial the elements to copy
     * @return the new array
     */
    public DoubleArray array(double[] initial) {
        return Array.ofDoubles(initial);
    }

    /**
     * {@link Array#ofChars(char[])}: a shared copy of {@code initial} with its own {@link RLock}.
     *
     * @param initial the elements to copy
     * @return the new array
     */
    public CharArray array(char[] initial) {
        return Array.ofChars(initial);
    }

    /** {@return how this context makes child JVMs} */
    public StartMethod startMethod() {
        return startMethod;
    }

    /** {@return the {@code java} launcher children run: the configured one, or the running JVM's} */
    public Path javaExecutable() {
        return javaExecutable != null ? javaExecutable : Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** {@return the options for every child JVM, after the inherited ones (unmodifiable)} */
    public List<String> jvmOptions() {
        return jvmOptions;
    }

    /** {@return whether children start with the parent JVM's own options} */
    public boolean inheritJvmOptions() {
        return inheritJvmOptions;
    }

    /** {@return the system properties set in every child JVM (unmodifiable)} */
    public Map<String, String> systemProperties() {
        return systemProperties;
    }

    /** {@return the environment variables added for every child JVM (unmodifiable)} */
    public Map<String, String> environment() {
        return environment;
    }

    /** {@return the children's working directory, or empty for this JVM's} */
    public Optional<Path> workingDirectory() {
        return Optional.ofNullable(workingDirectory);
    }

    /** {@return whether children's stdout/stderr are copied to this JVM's {@code System.out}/{@code err}} */
    public boolean inheritIO() {
        return inheritIO;
    }

    /** {@return whether each line a child prints is prefixed with {@code [name pid] } (see {@link Builder#tagOutput})} */
    public boolean tagOutput() {
        return tagOutput;
    }

    /** {@return whether children's output lines go to a {@link System.Logger} (see {@link Builder#logOutput})} */
    public boolean logOutput() {
        return logOutput;
    }

    /** {@return the codec class for targets, results, exceptions and messages} */
    public Class<? extends Serializer> serializer() {
        return serializer;
    }

    /** {@return how many booted JVMs a {@link StartMethod#PRESTARTED} context keeps waiting} */
    public int standbyCount() {
        return standbyCount;
    }

    /** {@return how long a child may take to boot and connect back before {@code start()} gives up and kills it} */
    public Duration startTimeout() {
        return startTimeout;
    }

    /**
     * Where pools and executors made with this context run their workers: empty for child JVMs of this
     * one (the default), else the transport set by {@link Builder#poolWorkers}.
     *
     * @return the pool workers' transport, if not child JVMs
     */
    public Optional<PoolWorkers> poolWorkers() {
        return Optional.ofNullable(poolWorkers);
    }

    /** Where this context's queues, locks, semaphores and manager objects live if not in this machine's shared memory, else null. */
    RemoteObjects remoteObjects() {
        return objects.remote();
    }

    /** The command line children are started with (internal). */
    JvmCommand command() {
        return launcher.command();
    }

    /** The codec of this context's serializer (internal). */
    ObjectCodec codec() {
        return launcher.codec();
    }

    /** The standby JVMs of a PRESTARTED context, booted on first use (internal). */
    StandbyPool standby() {
        return launcher.standby();
    }

    /**
     * Prepares fast starts now instead of at the first {@code start()}: builds the AOT cache children boot
     * from, where the class path allows one (all jars; up to a few seconds, once per build of the
     * application), and boots the standby JVMs of a {@link StartMethod#PRESTARTED} context. Blocks until
     * done; useful before a latency-sensitive phase.
     *
     * @return this context
     */
    public Context prestart() {
        launcher.prestart(startMethod == StartMethod.PRESTARTED);
        return this;
    }

    /** Ends this context's standby JVMs. Idempotent; processes already started are not affected. */
    @Override
    public void close() {
        launcher.close();
    }

    boolean isClosed() {
        return launcher.isClosed();
    }

    @Override
    public String toString() {
        return "Context[" + startMethod + ", java=" + javaExecutable() + ", options=" + jvmOptions + "]";
    }

    /**
     * Builds a {@link Context}. Not thread-safe; {@link #build()} validates everything once and throws
     * {@link IllegalArgumentException} naming the bad value.
     */
    public static final class Builder {
        private StartMethod startMethod = StartMethod.SPAWN;
        private Path javaExecutable;
        private final List<String> jvmOptions = new ArrayList<>();
        private boolean inheritJvmOptions = true;
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workingDirectory;
        private boolean inheritIO = true;
        private boolean tagOutput;
        private boolean logOutput;
        private Class<? extends Serializer> serializer = JdkSerializer.class;
        private int standbyCount = 1;
        private Duration startTimeout = Duration.ofSeconds(60);
        private PoolWorkers poolWorkers;

        private Builder() {
        }

        /**
         * Runs the workers of every {@link Pool} and {@link ProcessPoolExecutor} made with this context on
         * {@code workers} (a cluster) instead of as child JVMs of this one (the default). A cluster such as
         * {@code HazelcastWorkers} also holds the context's {@link Context#queue() queues},
         * {@link Context#joinableQueue() joinable queues}, {@link Context#lock() locks},
         * {@link Context#simpleQueue() simple queues}, {@link Context#rLock() rlocks},
         * {@link Context#semaphore(int) semaphores}, {@link Context#event() events} and
         * {@link Context#manager() manager}'s dicts, lists and namespaces, so that tasks on any member share
         * them; processes, pipes, conditions, barriers, values and arrays made with the context stay in
         * this machine's shared memory.
         *
         * @param workers where pool workers run, such as a {@code HazelcastWorkers} cluster
         * @return this builder
         */
        public Builder poolWorkers(PoolWorkers workers) {
            this.poolWorkers = Objects.requireNonNull(workers, "poolWorkers");
            return this;
        }

        /**
         * How child JVMs are made (default {@link StartMethod#SPAWN}).
         *
         * @param method the start method
         * @return this builder
         */
        public Builder startMethod(StartMethod method) {
            this.startMethod = Objects.requireNonNull(method, "startMethod");
            return this;
        }

        /**
         * The {@code java} launcher for children (Python's {@code set_executable}).
         *
         * @param java the path of a {@code java} launcher (JDK 25 or newer); a relative one is taken from this
         *             JVM's working directory, whatever the children's
         * @return this builder
         */
        public Builder javaExecutable(Path java) {
            this.javaExecutable = Objects.requireNonNull(java, "javaExecutable");
            return this;
        }

        /**
         * Options for every child JVM, after the inherited ones (so they win), e.g. {@code -Xmx512m}. A child
         * whose options (these, the inherited ones and those of its {@code JAVA_TOOL_OPTIONS},
         * {@code JDK_JAVA_OPTIONS} or {@code _JAVA_OPTIONS}) pick no garbage
         * collector runs the serial collector ({@code -XX:+UseSerialGC}), and with no young-generation or
         * small-heap option its young generation starts at 16 MiB ({@code -XX:NewSize=16m}); give a collector,
         * e.g. {@code -XX:+UseG1GC}, to choose another.
         *
         * @param options JVM options, one per element
         * @return this builder
         */
        public Builder jvmOptions(String... options) {
            for (String o : options) {
                jvmOptions.add(Objects.requireNonNull(o, "jvm option"));
            }
            return this;
        }

        /**
         * Whether children start with this JVM's own options (default true).
         *
         * @param inherit whether children start with this JVM's options
         * @return this builder
         */
        public Builder inheritJvmOptions(boolean inherit) {
            this.inheritJvmOptions = inherit;
            return this;
        }

        /**
         * A system property set in every child JVM ({@code -Dkey=value}); {@code key} must not be empty.
         *
         * @param key the property's name
         * @param value the property's value
         * @return this builder
         * @throws IllegalArgumentException if {@code key} is empty or holds {@code '='} or NUL, or {@code value}
         *     holds NUL (a command line cannot carry them)
         */
        public Builder systemProperty(String key, String value) {
            ContextSettingChecks.systemProperty(key, value);
            systemProperties.put(key, value);
            return this;
        }

        /**
         * An environment variable added for every child JVM.
         *
         * @param key the variable's name
         * @param value the variable's value
         * @return this builder
         * @throws IllegalArgumentException if {@code key} is empty or holds {@code '='} or NUL, or {@code value}
         *     holds NUL (a process environment cannot carry them)
         */
        public Builder environment(String key, String value) {
            ContextSettingChecks.environmentVariable(key, value);
            environment.put(key, value);
            return this;
        }

        /**
         * The children's working directory (default: this JVM's); it must exist.
         *
         * @param dir an existing directory
         * @return this builder
         */
        public Builder workingDirectory(Path dir) {
            this.workingDirectory = Objects.requireNonNull(dir, "workingDirectory");
            return this;
        }

        /**
         * Whether children's stdout/stderr are copied to this JVM's {@code System.out}/{@code err} (default true).
         *
         * @param inherit whether to copy the children's output here
         * @return this builder
         */
        public Builder inheritIO(boolean inherit) {
            this.inheritIO = inherit;
            return this;
        }

        /**
         * Whether each line of a child's stdout and stderr copied here is prefixed with {@code [name pid] }
         * (the child's process name and pid), as in {@code [Process-1 4242] hello} (default false: the
         * output is copied byte for byte). A standby JVM of a {@link StartMethod#PRESTARTED} context is tagged
         * {@code standby} until it is given its process. Whole lines of different children never mix; a line
         * a child writes in several pieces may. No effect with {@code inheritIO(false)}.
         *
         * @param tag whether to prefix the children's lines
         * @return this builder
         */
        public Builder tagOutput(boolean tag) {
            this.tagOutput = tag;
            return this;
        }

        /**
         * Whether the children's output goes, line by line and tagged as with {@link #tagOutput}, to the
         * {@link System.Logger} {@code org.multiprocessing4j.output} instead of {@code System.out}/{@code err}:
         * stdout lines at {@code INFO}, stderr lines at {@code WARNING} (default false). A line is logged
         * once its newline arrives (or the child's stream ends). Takes precedence over {@code tagOutput}; no
         * effect with {@code inheritIO(false)}.
         *
         * @param log whether to log the children's lines instead of printing them
         * @return this builder
         */
        public Builder logOutput(boolean log) {
            this.logOutput = log;
            return this;
        }

        /**
         * The codec for targets, results and exceptions; it must be on the children's class path too.
         *
         * @param type a {@link Serializer} with a public no-argument constructor
         * @return this builder
         */
        public Builder serializer(Class<? extends Serializer> type) {
            this.serializer = Objects.requireNonNull(type, "serializer");
            return this;
        }

        /**
         * Standby JVMs kept booted by a {@link StartMethod#PRESTARTED} context (default 1, at least 1).
         *
         * @param count how many standby JVMs to keep booted (checked by {@link #build()}: fewer than 1 is refused)
         * @return this builder
         */
        public Builder standbyCount(int count) {
            this.standbyCount = count;
            return this;
        }

        /**
         * How long a child may take to boot and connect back (default 60 s).
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "startTimeout");
            return this;
        }

        /**
         * A context with these settings.
         *
         * @return the new context
         * @throws IllegalArgumentException if {@code javaExecutable} is not executable, {@code workingDirectory}
         *         is not a directory, {@code standbyCount < 1}, {@code startTimeout} is not positive, or the
         *         serializer has no public no-argument constructor
         */
        public Context build() {
            ContextSettingChecks.buildable(javaExecutable, workingDirectory, standbyCount, startTimeout, serializer);
            return new Context(this);
        }
    }
}
