package org.multiprocessing4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.multiprocessing4j.internal.Timeouts;
import org.multiprocessing4j.internal.events.Loggers;
import org.multiprocessing4j.internal.launch.ProcessTree;
import org.multiprocessing4j.internal.launch.RuntimeDirectory;
import org.multiprocessing4j.internal.manager.ManagerLink;
import org.multiprocessing4j.internal.manager.ManagerServerMain;
import org.multiprocessing4j.internal.remote.RemoteObjects;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.wire.Nonces;

/**
 * A manager (Python's {@code multiprocessing.Manager()} / {@code SyncManager}): a server process — a child
 * JVM — holding objects that every process of this tree uses through proxies.
 *
 * <pre>{@code
 * try (Manager manager = Manager.start()) {
 *     ConcurrentMap<String, Integer> hits = manager.dict();
 *     List<String> log = manager.list();
 *     try (Pool pool = new Pool(4)) {
 *         pool.map(url -> { hits.merge(url, 1, Integer::sum); log.add(url); return null; }, urls);
 *     }
 * }
 * }</pre>
 *
 * <h2>Proxies: dict, list, namespace, registered types</h2>
 * {@link #dict()} is a {@link ConcurrentMap}, {@link #list()} a {@link List}, {@link #namespace()} a
 * {@link Namespace}, {@link #create(Class)} any registered interface: each is a proxy whose every call runs
 * in the manager process, atomically there, one round trip over a shared-memory pipe. Proxies are
 * serializable handles: capture one in a {@link Process} target or a pool task, or put it in a queue or
 * in another proxy, and it names the same object. A proxy stored in a proxy stays a proxy:
 * {@code dict.put("k", manager.list())} stores a proxy, {@code dict.get("k")} returns a proxy of that list,
 * and {@code dict.get("k").add(x)} changes the shared list. A plain {@code ArrayList} stored in a dict is a
 * value, copied on each call, so {@code get("k").add(x)} then changes only the caller's copy (as in
 * CPython, where this is the most common manager surprise): store manager lists where children must
 * mutate in place. Functions given to
 * {@code compute}, {@code merge}, {@code computeIfAbsent}, {@code replaceAll}, {@code removeIf} … run in
 * the manager, atomically, when they are serializable ({@code (BiFunction<Integer, Integer, Integer> &
 * Serializable) Integer::sum}, or a variable of a {@code Serializable…} type); a plain lambda given to
 * ConcurrentMap's compute/merge family runs here instead, through ConcurrentMap's retry loop over the
 * manager's atomic {@code replace}/{@code putIfAbsent}, so the result is atomic all the same; other
 * methods refuse a function that cannot be serialized ({@link IllegalArgumentException}).
 * Values are copied on each call, serialized by the library's fast paths and JDK serialization whatever
 * serializer the context names (so they must be {@code Serializable}). Iterators, {@code keySet()}, {@code values()},
 * {@code entrySet()}, {@code subList()} and streams are <em>read-only snapshots</em> taken at the call
 * (mutating one throws {@link UnsupportedOperationException}); mutate through the proxy's own methods.
 * A dict is a {@link java.util.concurrent.ConcurrentMap} in the manager that keeps insertion order, as a Python dict
 * does; each of its methods is atomic there; no {@code null} keys or values.
 * {@code equals}/{@code hashCode} of a dict or list proxy are the object's; {@code toString} is the
 * object's. One request to the manager (a call with its arguments, serialized) may be at most 256 MiB; a
 * larger one fails with {@link ManagerUnavailableException} naming the limit and its size, and the
 * manager serves on (a {@link ManagerServer}'s limit is settable: {@link ManagerServer#maxMessageBytes(int)}).
 *
 * <h2>Shared-memory objects</h2>
 * {@link #queue()}, {@link #joinableQueue()}, {@link #lock()}, {@link #rLock()}, {@link #semaphore(int)},
 * {@link #boundedSemaphore(int)}, {@link #condition()}, {@link #event()}, {@link #barrier(int)},
 * {@link #value(int)} and {@link #array(int[])} return the library's own types, made by the manager process
 * and owned by it: not proxies but the same cross-process objects as {@code new Queue<>()} etc., so every
 * process uses them directly through shared memory at full speed, with owner-death recovery (a CPython
 * manager needs proxies here because {@code multiprocessing.Lock} cannot be passed to pool workers; ours
 * can). {@link #close()} closes them in the manager: processes already using one keep it; a copy first
 * used after that fails.
 *
 * <h2>Failure and lifetime</h2>
 * A call on a proxy whose manager is gone (shut down, crashed, SIGKILLed) throws
 * {@link ManagerUnavailableException} promptly, never hangs. A client process killed mid-call does not
 * harm the manager; objects only it held are released when its connections end. A call whose client
 * goes away while it waits in the manager (the calling thread was interrupted, or its process ended) is
 * interrupted there once the manager sees its connection end (tens of ms), so a {@code take()} on a
 * registered queue ends without taking a later item; a method that ignores interrupts runs on. A proxy given as an
 * argument ({@code contains(proxy)}, {@code equals(proxy)}) is not kept by that; one stored in another
 * manager object is kept while it is stored there. The manager process is a
 * daemon child: it ends with this process whatever kills it. Thread-safe; proxies too.
 *
 * <h2>On a cluster</h2>
 * A manager started with a context whose pool workers are a cluster's (module
 * {@code multiprocessing4j-hazelcast}: {@code cluster.context().manager()}) has no process: the cluster is
 * the server. Its {@link #dict()}, {@link #list()}, {@link #queue()}, {@link #joinableQueue()},
 * {@link #lock()}, {@link #rLock()}, {@link #semaphore(int)}, {@link #boundedSemaphore(int)} and
 * {@link #event()} are the
 * cluster's structures, shared by every JVM of the cluster, and {@link #close()} destroys them. Items are
 * encoded with the context's serializer and signed with the cluster's authkey; functions given to a dict's
 * {@code compute}/{@code merge} run in the caller through atomic {@code replace}/{@code putIfAbsent}
 * (atomic all the same). The rest ({@link #create(Class)}, conditions,
 * barriers, values, arrays, {@link #address()}) needs a manager process and throws
 * {@link UnsupportedOperationException} there.
 */
public final class Manager implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Process process;
    /** The manager process's pid and start time, once a queue needed it. */
    private volatile ProcessStamp managerStamp;
    private final Path socket;
    private final ManagerLink link;
    /** A cluster context's manager: the cluster's objects of this manager's scope; null for a manager process. */
    private final RemoteObjects cluster;
    private final Class<? extends Serializer> serializer;
    private volatile boolean closed;

    private Manager(Process process, Path socket, ManagerLink link) {
        this.process = process;
        this.socket = socket;
        this.link = link;
        this.cluster = null;
        this.serializer = null;
    }

    private Manager(RemoteObjects cluster, Class<? extends Serializer> serializer) {
        this.process = null;
        this.socket = null;
        this.link = null;
        this.cluster = cluster;
        this.serializer = serializer;
    }

    /**
     * Starts a manager process with the default context; returns once it accepts connections (this
     * process connects at its first call).
     *
     * @throws ProcessError if the manager process cannot start
     * @return the started manager
     */
    public static Manager start() {
        return builder().start();
    }

    /** {@return a builder for a manager with registered types or another context.} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A manager server in this JVM at {@code address}, for other processes or machines (Python's
     * {@code BaseManager(address, authkey)} with {@code serve_forever()}); register objects, then
     * {@link ManagerServer#start()} or {@link ManagerServer#serveForever()}.
     *
     * @param address the socket address (an {@code InetSocketAddress}, bound to loopback unless other machines must connect, or a {@code UnixDomainSocketAddress})
     * @param authkey the key every client must prove it holds (HMAC-SHA256 challenge)
     * @return the server, not started yet
     */
    public static ManagerServer server(SocketAddress address, byte[] authkey) {
        return new ManagerServer(address, authkey);
    }

    /**
     * Connects to a manager server (Python's {@code BaseManager(address, authkey).connect()}).
     *
     * @throws AuthenticationException     if the key is wrong
     * @throws ManagerUnavailableException if nothing serves at {@code address}
     * @param address the socket address (an {@code InetSocketAddress}, bound to loopback unless other machines must connect, or a {@code UnixDomainSocketAddress})
     * @param authkey the key every client must prove it holds (HMAC-SHA256 challenge)
     * @return the connected client
     */
    public static RemoteManager connect(SocketAddress address, byte[] authkey) {
        return RemoteManager.connect(address, authkey);
    }

    // ---- proxies ------------------------------------------------------------------------------------

    /**
     * A new empty shared map (Python's {@code manager.dict()}).
     *
     * @param <K> the type of the keys
     * @param <V> the type of the values
     * @return a new empty shared map (Python's {@code manager.dict()})
     */
    @SuppressWarnings("unchecked")
    public <K, V> ConcurrentMap<K, V> dict() {
        if (cluster() != null) {
            return cluster.dict(serializer);
        }
        return link().create("dict", ConcurrentMap.class, null);
    }

    /**
     * A new shared map holding a copy of {@code initial}.
     *
     * @param <K> the type of the keys
     * @param <V> the type of the values
     * @param initial the initial contents or value (copied)
     * @return a new shared map holding a copy of {@code initial}
     * @throws NullPointerException if {@code initial} is null or holds a null key or value (the map is a
     *     {@code ConcurrentMap}, which holds none)
     */
    @SuppressWarnings("unchecked")
    public <K, V> ConcurrentMap<K, V> dict(Map<? extends K, ? extends V> initial) {
        for (Map.Entry<? extends K, ? extends V> e : Objects.requireNonNull(initial, "initial").entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new NullPointerException("initial holds a null " + (e.getKey() == null ? "key" : "value of key " + e.getKey())
                        + ": a manager's dict is a ConcurrentMap, which holds no null keys or values");
            }
        }
        if (cluster() != null) {
            ConcurrentMap<K, V> dict = cluster.dict(serializer);
            dict.putAll(Objects.requireNonNull(initial, "initial"));
            return dict;
        }
        return link().create("dict", ConcurrentMap.class, new LinkedHashMap<>(Objects.requireNonNull(initial, "initial")));
    }

    /**
     * A new empty shared list (Python's {@code manager.list()}).
     *
     * @param <E> the type of the elements
     * @return a new empty shared list (Python's {@code manager.list()})
     */
    @SuppressWarnings("unchecked")
    public <E> List<E> list() {
        if (cluster() != null) {
            return cluster.list(serializer);
        }
        return link().create("list", List.class, null);
    }

    /**
     * A new shared list holding a copy of {@code initial}.
     *
     * @param <E> the type of the elements
     * @param initial the initial contents or value (copied)
     * @return a new shared list holding a copy of {@code initial}
     */
    @SuppressWarnings("unchecked")
    public <E> List<E> list(Collection<? extends E> initial) {
        if (cluster() != null) {
            List<E> list = cluster.list(serializer);
            list.addAll(Objects.requireNonNull(initial, "initial"));
            return list;
        }
        return link().create("list", List.class, new ArrayList<>(Objects.requireNonNull(initial, "initial")));
    }

    /** {@return a new empty {@link Namespace} (Python's {@code manager.Namespace()}).} */
    public Namespace namespace() {
        if (cluster() != null) {
            return cluster.namespace(serializer);
        }
        return link().create("namespace", Namespace.class, null);
    }

    /**
     * A new object of a type registered with {@link Builder#register}, through a proxy implementing it.
     *
     * @throws IllegalArgumentException if {@code type} was not registered
     * @param <T> the type of the items or of the proxy
     * @param type the interface the proxies implement
     * @return a proxy of the new object
     */
    public <T> T create(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return link().create(type.getName(), type, null);
    }

    // ---- shared-memory objects ------------------------------------------------------------------------

    /**
     * A {@link Queue} without an item limit, owned by the manager.
     *
     * @param <T> the type of the items or of the proxy
     * @return a {@link Queue} without an item limit, owned by the manager
     */
    @SuppressWarnings("unchecked")
    public <T> Queue<T> queue() {
        return queue(0);
    }

    /**
     * A {@link Queue} of at most {@code maxsize} items (0: no limit), owned by the manager.
     *
     * @param <T> the type of the items or of the proxy
     * @param maxsize the most items it holds; 0: no limit
     * @return a {@link Queue} of at most {@code maxsize} items (0: no limit), owned by the manager
     */
    @SuppressWarnings("unchecked")
    public <T> Queue<T> queue(int maxsize) {
        if (cluster() != null) {
            return new RemoteQueue<>(cluster.queue(Math.max(0, maxsize), serializer));
        }
        return owned((Queue<T>) link().make("queue", maxsize));
    }

    /**
     * A {@link JoinableQueue} without an item limit, owned by the manager.
     *
     * @param <T> the type of the items or of the proxy
     * @return a {@link JoinableQueue} without an item limit, owned by the manager
     */
    public <T> JoinableQueue<T> joinableQueue() {
        return joinableQueue(0);
    }

    /**
     * A {@link JoinableQueue} of at most {@code maxsize} items, owned by the manager.
     *
     * @param <T> the type of the items or of the proxy
     * @param maxsize the most items it holds; 0: no limit
     * @return a {@link JoinableQueue} of at most {@code maxsize} items, owned by the manager
     */
    @SuppressWarnings("unchecked")
    public <T> JoinableQueue<T> joinableQueue(int maxsize) {
        if (cluster() != null) {
            return new RemoteJoinableQueue<>(cluster.joinableQueue(Math.max(0, maxsize), serializer));
        }
        return owned((JoinableQueue<T>) link().make("joinableQueue", maxsize));
    }

    /** {@return a {@link Lock}, owned by the manager.} */
    public Lock lock() {
        if (cluster() != null) {
            return new Lock(cluster.lock(false));
        }
        return owned((Lock) link().make("lock", null));
    }

    /** {@return an {@link RLock}, owned by the manager.} */
    public RLock rLock() {
        if (cluster() != null) {
            return new RLock(cluster.lock(true));
        }
        return owned((RLock) link().make("rlock", null));
    }

    /**
     * A {@link Semaphore} with {@code value} permits, owned by the manager.
     *
     * @param value the number of permits
     * @return a {@link Semaphore} with {@code value} permits, owned by the manager
     */
    public Semaphore semaphore(int value) {
        if (cluster() != null) {
            return new Semaphore(cluster.semaphore(Semaphore.checkValue(value), false));
        }
        return owned((Semaphore) link().make("semaphore", value));
    }

    /**
     * A {@link BoundedSemaphore} with {@code value} permits, owned by the manager.
     *
     * @param value the number of permits
     * @return a {@link BoundedSemaphore} with {@code value} permits, owned by the manager
     */
    public BoundedSemaphore boundedSemaphore(int value) {
        if (cluster() != null) {
            return new BoundedSemaphore(cluster.semaphore(Semaphore.checkValue(value), true));
        }
        return owned((BoundedSemaphore) link().make("boundedSemaphore", value));
    }

    /** {@return a {@link Condition} with a lock of its own, owned by the manager.} */
    public Condition condition() {
        return owned((Condition) link().make("condition", null));
    }

    /**
     * A {@link Condition} over {@code lock}, owned by the manager.
     *
     * @param lock the lock the condition waits with
     * @return a {@link Condition} over {@code lock}, owned by the manager
     */
    public Condition condition(Lock lock) {
        return owned((Condition) link().make("condition", Objects.requireNonNull(lock, "lock")));
    }

    /**
     * A {@link Condition} over {@code lock}, owned by the manager.
     *
     * @param lock the lock the condition waits with
     * @return a {@link Condition} over {@code lock}, owned by the manager
     */
    public Condition condition(RLock lock) {
        return owned((Condition) link().make("condition", Objects.requireNonNull(lock, "lock")));
    }

    /** {@return an {@link Event}, owned by the manager.} */
    public Event event() {
        if (cluster() != null) {
            return new Event(cluster.event());
        }
        return owned((Event) link().make("event", null));
    }

    /**
     * A {@link Barrier} for {@code parties} parties, owned by the manager.
     *
     * @param parties how many parties each pass needs
     * @return a {@link Barrier} for {@code parties} parties, owned by the manager
     */
    public Barrier barrier(int parties) {
        return barrier(parties, null, null);
    }

    /**
     * A {@link Barrier} with an action and a default timeout (either may be null), owned by the manager.
     *
     * @param parties how many parties each pass needs
     * @param action run once per pass by the last party to arrive; may be null
     * @param timeout the default timeout of {@code await()}; null: none
     * @return a {@link Barrier} with an action and a default timeout (either may be null), owned by the manager
     */
    public Barrier barrier(int parties, SerializableRunnable action, Duration timeout) {
        return owned((Barrier) link().make("barrier", new Object[] {parties, action, timeout}));
    }

    /**
     * An {@link IntValue} (with a lock), owned by the manager: Python's {@code manager.Value('i', initial)}.
     *
     * @param initial the initial contents or value (copied)
     * @return an {@link IntValue} (with a lock), owned by the manager: Python's {@code manager.Value('i', initial)}
     */
    public IntValue value(int initial) {
        return (IntValue) link().make("value", initial);
    }

    /**
     * A {@link LongValue} (with a lock), owned by the manager.
     *
     * @param initial the initial contents or value (copied)
     * @return a {@link LongValue} (with a lock), owned by the manager
     */
    public LongValue value(long initial) {
        return (LongValue) link().make("value", initial);
    }

    /**
     * A {@link DoubleValue} (with a lock), owned by the manager.
     *
     * @param initial the initial contents or value (copied)
     * @return a {@link DoubleValue} (with a lock), owned by the manager
     */
    public DoubleValue value(double initial) {
        return (DoubleValue) link().make("value", initial);
    }

    /**
     * An {@link IntArray} (with a lock) holding a copy of {@code initial}, owned by the manager.
     *
     * @param initial the initial contents or value (copied)
     * @return an {@link IntArray} (with a lock) holding a copy of {@code initial}, owned by the manager
     */
    public IntArray array(int[] initial) {
        return (IntArray) link().make("array", Objects.requireNonNull(initial, "initial"));
    }

    /**
     * A {@link LongArray} (with a lock) holding a copy of {@code initial}, owned by the manager.
     *
     * @param initial the initial contents or value (copied)
     * @return a {@link LongArray} (with a lock) holding a copy of {@code initial}, owned by the manager
     */
    public LongArray array(long[] initial) {
        return (LongArray) link().make("array", Objects.requireNonNull(initial, "initial"));
    }

    /**
     * A {@link DoubleArray} (with a lock) holding a copy of {@code initial}, owned by the manager.
     *
     * @param initial the initial contents or value (copied)
     * @return a {@link DoubleArray} (with a lock) holding a copy of {@code initial}, owned by the manager
     */
    public DoubleArray array(double[] initial) {
        return (DoubleArray) link().make("array", Objects.requireNonNull(initial, "initial"));
    }

    /**
     * A {@link ByteArray} (with a lock) holding a copy of {@code initial}, owned by the manager.
     *
     * @param initial the initial contents or value (copied)
     * @return a {@link ByteArray} (with a lock) holding a copy of {@code initial}, owned by the manager
     */
    public ByteArray array(byte[] initial) {
        return (ByteArray) link().make("array", Objects.requireNonNull(initial, "initial"));
    }

    // ---- lifetime ----------------------------------------------------------------------------------

    /**
     * The manager's address (a Unix-domain socket in this process tree's private runtime directory).
     *
     * @return the manager's address
     * @throws UnsupportedOperationException for a cluster context's manager, which has no process
     */
    public SocketAddress address() {
        if (cluster != null) {
            throw new UnsupportedOperationException("a cluster context's manager has no address of its own: its objects are the cluster's");
        }
        return UnixDomainSocketAddress.of(socket);
    }

    /** {@return the manager process's pid; empty for a cluster context's manager, which has no process.} */
    public OptionalLong pid() {
        return process != null ? process.pid() : OptionalLong.empty();
    }

    /** The number of objects the manager serves now (tests). */
    int objectCount() {
        return link().objectCount();
    }

    /** How many idle connections to the manager this process keeps now (for tests). */
    int idleConnections() {
        return link().idleConnections();
    }

    /** Marks a queue or synchronization object this manager's process made: its waiters end when that process does. */
    private <T> T owned(T object) {
        ProcessStamp stamp = managerStamp;
        if (stamp == null && process != null && process.pid().isPresent()) {
            stamp = ProcessHandle.of(process.pid().getAsLong()).map(ProcessStamp::of).orElse(null);
            managerStamp = stamp;
        }
        if (stamp != null) {
            switch (object) {
                case Queue<?> q -> q.ownedBy(stamp);
                case Lock l -> l.ownedBy(stamp);
                case RLock l -> l.ownedBy(stamp);
                case Semaphore s -> s.ownedBy(stamp);
                case Condition c -> c.ownedBy(stamp);
                case Event e -> e.ownedBy(stamp);
                case Barrier b -> b.ownedBy(stamp);
                default -> throw new IllegalArgumentException("not a manager's shared object: " + object);
            }
        }
        return object;
    }

    /** As {@link #close()} (Python's {@code manager.shutdown()}). */
    public void shutdown() {
        close();
    }

    /**
     * Stops the manager process (asking first; killing it if it has not ended within 5 s) and closes this
     * process's connections. Its proxied objects (dicts, lists, namespaces, registered types) are gone: later
     * calls on their proxies, here or in any process, throw {@link ManagerUnavailableException}. The queues,
     * locks, semaphores, conditions, events, barriers, values and arrays it made are not proxies but
     * shared-memory objects used directly: their files are removed, a process that never used one then
     * fails to attach it ({@link IllegalStateException}), and processes already using one keep it, as they keep
     * any shared object whose creator is gone. A thread waiting on one of its queues, locks, semaphores,
     * conditions, events or barriers, in any process, then throws {@link ManagerUnavailableException} (within
     * a tenth of a second, as CPython's proxy call fails with the connection). A cluster context's manager
     * destroys its objects on the
     * cluster instead: a thread of any JVM waiting on one of its queues, semaphores, events or joinable
     * queues then throws {@link ManagerUnavailableException} (within about a tenth of a second), while a
     * call that does not wait sees the object empty. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (cluster != null) {
            cluster.close();
            return;
        }
        try {
            link.shutdown();
        } catch (RuntimeException alreadyGone) {
            // it died or is dying: make sure below
        }
        try {
            process.join(Duration.ofSeconds(5));
            if (process.exitCode() == null) {
                process.kill();
                process.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            process.kill();
            Thread.currentThread().interrupt();
        } finally {
            link.close();
            try {
                Files.deleteIfExists(socket);
                Files.deleteIfExists(socket.resolveSibling(socket.getFileName() + ".binding"));
            } catch (IOException ignored) {
                // the runtime directory goes with the tree
            }
        }
        Loggers.MANAGER.log(System.Logger.Level.DEBUG, () -> "manager " + process.name() + " (pid " + process.pid().orElse(-1)
                + ") stopped" + (process.exitCode() != null ? " with exit code " + process.exitCode() : ""));
        if (process.exitCode() != null) {
            process.close();
        }
    }

    private ManagerLink link() {
        if (closed) {
            throw new IllegalStateException("the manager is shut down");
        }
        if (cluster != null) {
            String what = StackWalker.getInstance().walk(frames -> frames.skip(1).findFirst().map(StackWalker.StackFrame::getMethodName).orElse("this"));
            throw new UnsupportedOperationException("manager." + what + "() needs a manager process; a cluster context's manager has"
                    + " dicts, lists, namespaces, queues, joinable queues, locks, rlocks, semaphores and events on " + cluster.describe()
                    + " (use Manager.start() for a local one)");
        }
        return link;
    }

    /** The cluster's objects if this is a cluster context's manager, else null; throws once shut down. */
    private RemoteObjects cluster() {
        if (closed) {
            throw new IllegalStateException("the manager is shut down");
        }
        return cluster;
    }

    @Override
    public String toString() {
        if (cluster != null) {
            return "Manager[" + cluster.describe() + (closed ? ", closed]" : "]");
        }
        return "Manager[" + socket + ", pid " + process.pid().orElse(-1) + (closed ? ", closed]" : "]");
    }

    /**
     * Builds a {@link Manager}: registered types (Python's {@code BaseManager.register(typeid, callable)})
     * and the context that makes its process. Not thread-safe.
     */
    public static final class Builder {
        private final Map<String, SerializableSupplier<?>> types = new LinkedHashMap<>();
        private Context context;

        private Builder() {
        }

        /**
         * Registers interface {@code type}: {@link Manager#create(Class) create(type)} makes an object with
         * {@code factory} in the manager process and returns a proxy implementing {@code type}; only
         * {@code type}'s methods can be called through it.
         *
         * @throws IllegalArgumentException if {@code type} is not an interface
         * @param <T> the type of the items or of the proxy
         * @param type the interface the proxies implement
         * @param factory makes a new object in the manager process for each {@code create}
         * @return this builder
         */
        public <T> Builder register(Class<T> type, SerializableSupplier<? extends T> factory) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(factory, "factory");
            if (!type.isInterface()) {
                throw new IllegalArgumentException(type.getName() + " is not an interface: register the interface"
                        + " its proxies implement, with a factory of the implementation");
            }
            types.put(type.getName(), factory);
            return this;
        }

        /**
         * The context whose settings make the manager process (default: the default context).
         *
         * @param context the context that makes the manager process
         * @return the context whose settings make the manager process (default: the default context)
         */
        public Builder context(Context context) {
            this.context = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * Starts the manager process and waits until it serves; with a cluster context, a manager whose
         * objects are the cluster's (see the class doc), without a process.
         *
         * @throws ProcessError if it cannot start or ends before it serves
         * @throws UnsupportedOperationException if types were registered and the context is a cluster's
         * @return the started manager
         */
        public Manager start() {
            Context ctx = context != null ? context : Multiprocessing.defaultContext();
            RemoteObjects remote = ctx.remoteObjects();
            if (remote != null) {
                if (!types.isEmpty()) {
                    throw new UnsupportedOperationException("registered types " + types.keySet() + " need a manager process, and the context's"
                            + " objects live on " + remote.describe() + ": serve them with Manager.server(...) and reach it with Manager.connect(...)");
                }
                return new Manager(remote.scope(), ctx.serializer());
            }
            Path tree;
            try {
                tree = ProcessTree.treeDirectory();
            } catch (UncheckedIOException e) {
                throw RuntimeDirectory.unusable(e);
            }
            Path socket = tree.resolve("manager-" + HexFormat.of().formatHex(Nonces.next(8)) + ".sock");
            Process process = ctx.process("SyncManager-" + COUNTER.incrementAndGet(), ManagerServerMain.target(socket, types));
            process.setDaemon(true);
            process.letDaemonHaveChildren(); // NOTE: the objects it serves may start processes and pools, as in CPython
            process.start();
            try {
                awaitServing(process, socket, ctx.startTimeout());
                Loggers.MANAGER.log(System.Logger.Level.DEBUG, () -> "manager " + process.name() + " (pid " + process.pid().orElse(-1)
                        + ") serving at " + socket);
                return new Manager(process, socket, ManagerLink.of(UnixDomainSocketAddress.of(socket), null));
            } catch (RuntimeException | Error e) {
                // NOTE: the caller gets no Manager to close: the process it would have closed must not outlive this
                if (process.exitCode() == null) {
                    killAndReap(process);
                }
                throw e;
            }
        }

        /** Waits until the manager's socket file appears (it is renamed into place once it accepts). */
        private static void awaitServing(Process process, Path socket, Duration timeout) {
            long deadline = System.nanoTime() + Timeouts.nanos(timeout);
            while (!Files.exists(socket)) {
                if (process.exitCode() != null) {
                    // NOTE: its stderr says why (a registered class it cannot load, a socket it cannot bind), which
                    // inheritIO(false) shows nowhere else
                    throw new ProcessError("the manager process (pid " + process.pid().orElse(-1)
                            + ") ended with exit code " + process.exitCode() + " before it served. Its stderr:\n" + process.stderrAfterExit());
                }
                if (System.nanoTime() > deadline) {
                    killAndReap(process);
                    throw new ProcessError("the manager process did not serve within " + timeout);
                }
                if (Thread.interrupted()) {
                    killAndReap(process);
                    Thread.currentThread().interrupt();
                    throw new ProcessError("interrupted while starting a manager");
                }
                LockSupport.parkNanos(200_000);
            }
        }

        private static void killAndReap(Process process) {
            process.kill();
            boolean interrupted = Thread.interrupted();
            try {
                process.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
