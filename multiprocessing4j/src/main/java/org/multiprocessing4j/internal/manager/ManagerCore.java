package org.multiprocessing4j.internal.manager;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.Supplier;
import org.multiprocessing4j.ManagerUnavailableException;
import org.multiprocessing4j.Queue;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.multiprocessing4j.internal.wire.ThrowableCodec;

/**
 * The manager's state and its answer to each request ({@link ManagerWire}): the served objects, the
 * types it can create, the objects registered by name, and the sessions (client processes) holding
 * proxies. Transport-free: {@link ManagerAcceptor} feeds it frames.
 *
 * <p>Lifetime of objects: an object keeps its id (it is in {@link #objects}, callable by id and counted)
 * while a session that was handed a proxy of it (or called it) still has a connection, or while it is
 * pinned. A proxy decoded inside the manager (a call's argument, or a nested proxy stored in another
 * served object) becomes a handler that calls the object directly and keeps it alive as any Java
 * reference does; it does not pin it by itself, so a proxy that was only an argument is forgotten with
 * the call. When such a handler is serialized again, its object gets its id back if it had lost it: held
 * by the session the reply goes to (a reply's proxy, as CPython's reply token increfs for the client), or
 * pinned when the handle leaves any other way (the registrant's own code sending it elsewhere). Objects
 * registered by name are the registrant's: releasing one forgets only its id. When a session's last
 * connection ends (the client closed its connections, exited, or was killed) its holds are released.
 * Thread-safe: bookkeeping under one lock, never held while an object's method runs, so a blocking method
 * blocks only its caller's connection.
 *
 * <p>Calls in this JVM through such handlers (a {@code ManagerServer}'s own JVM) are tracked: {@link #close()}
 * interrupts those still running, and one that then fails throws {@link ManagerUnavailableException}.
 */
final class ManagerCore {
    private static final ConcurrentMap<String, ManagerCore> SERVING = new ConcurrentHashMap<>();

    /** The address a connection's client reached, on that connection's thread (see {@link #handlesOnThisThreadCarry}). */
    private static final ThreadLocal<String> REACHED = new ThreadLocal<>();
    /** The reply this thread is encoding now (see {@link #resurface}), or null. */
    private static final ThreadLocal<Reply> REPLYING = new ThreadLocal<>();

    private final String address;
    /** The addresses clients reached this core at, when it listens on a wildcard address. */
    private final Set<String> aliases = ConcurrentHashMap.newKeySet();
    private final byte[] embeddedKey;
    private final Map<String, TypeEntry> types;
    private final Map<String, Named> named;
    private final ConcurrentMap<Long, Served> objects = new ConcurrentHashMap<>();
    private final Map<Object, Served> byIdentity = new IdentityHashMap<>();
    /** The {@code BlockingQueue} views served for this library's queues registered by name (identity keys: Queue keeps Object's equals). */
    private final ConcurrentMap<Queue<?>, BlockingQueue<?>> queueViews = new ConcurrentHashMap<>();
    private final Map<Long, Integer> sessionConnections = new HashMap<>();
    private final Map<Long, List<Long>> sessionObjects = new HashMap<>();
    private final List<AutoCloseable> made = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Calls running in this JVM through {@link #localHandler}s; guarded by itself. */
    private final Set<LocalCall> localCalls = new HashSet<>();
    private final ObjectCodec codec = ManagerWire.codec();
    private final ThrowableCodec throwables = new ThrowableCodec(codec);
    /**
     * The next object id. Starts at a random value, not 1: a proxy names its object by address and id only,
     * so a proxy of a server that ended, used once another serves at the same address (restarted on its
     * port), would otherwise call whatever object that one gave the same small id (CPython's ids are the
     * objects' addresses, which do not repeat so); now it finds no such object.
     */
    private long nextId = java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 32, 1L << 62);
    private volatile boolean closed;
    private volatile long warmUpId = -1;
    private volatile boolean shutdownRequested;

    /** A type {@code CREATE} can make. */
    record TypeEntry(Class<?> type, Supplier<?> factory, Function<Object, Object> withInitial) {
    }

    /** A reply of {@code core} to {@code session}. */
    private record Reply(ManagerCore core, long session) {
    }

    /** A call running in this JVM through a {@link #localHandler}; {@code endedByClose} guarded by the set of them. */
    private static final class LocalCall {
        final Thread thread = Thread.currentThread();
        boolean endedByClose;
    }

    /** An object (or a supplier of objects) registered by name for {@code GET}, optionally exposing one type only. */
    record Named(Supplier<?> supplier, Class<?> exposed) {
    }

    ManagerCore(String address, byte[] embeddedKey, Map<String, TypeEntry> types, Map<String, Named> named) {
        this.address = Objects.requireNonNull(address, "address");
        this.embeddedKey = embeddedKey;
        this.types = Map.copyOf(types);
        this.named = Map.copyOf(named);
    }

    /** Makes this core the one that decodes handles of {@link #address()} in this process into direct calls. */
    void register() {
        if (SERVING.putIfAbsent(address, this) != null) {
            throw new IllegalStateException("a manager already serves " + address + " in this process");
        }
    }

    /** The core serving {@code address} in this process, or null. */
    static ManagerCore serving(String address) {
        return SERVING.get(address);
    }

    String address() {
        return address;
    }

    // ---- sessions ----------------------------------------------------------------------------------

    synchronized void connectionStarted(long session) {
        sessionConnections.merge(session, 1, Integer::sum);
    }

    /** A connection ended; when it was its session's last, the session's holds are released. */
    synchronized void connectionEnded(long session) {
        Integer left = sessionConnections.merge(session, -1, Integer::sum);
        if (left != null && left > 0) {
            return;
        }
        sessionConnections.remove(session);
        List<Long> held = sessionObjects.remove(session);
        if (held != null) {
            for (Long id : held) {
                Served s = objects.get(id);
                if (s != null) {
                    s.sessions.remove(session);
                    releaseIfUnused(s);
                }
            }
        }
    }

    private void hold(long session, Served s) {
        synchronized (this) {
            if (s.sessions.add(session)) {
                sessionObjects.computeIfAbsent(session, k -> new ArrayList<>()).add(s.id);
            }
        }
    }

    private void releaseIfUnused(Served s) {
        if (s.sessions.isEmpty() && !s.pinned) {
            objects.remove(s.id);
            byIdentity.remove(s.target, s);
        }
    }

    /** Number of objects served now (tests and stats), not counting the manager's own warm-up dict. */
    int objectCount() {
        return objects.size() - (objects.containsKey(warmUpId) ? 1 : 0);
    }

    /**
     * A dict for this JVM's own warm-up ({@link ManagerClient#warmUp}): held by no session until the warm-up
     * calls it, so it goes when the warm-up's connection ends; never counted.
     */
    long addWarmUpDict() {
        Served s = add(new ConcurrentHashMap<>(), ConcurrentMap.class, false);
        warmUpId = s.id;
        return s.id;
    }

    // ---- requests ----------------------------------------------------------------------------------

    private static final String MALFORMED = "malformed manager request, or one whose arguments cannot be decoded in the manager: ";

    /** Answers one request frame of {@code session}; never throws (failures become ERROR replies). */
    byte[] answer(byte[] request, long session, ClassLoader loader) {
        Object[] frame;
        int op;
        try {
            frame = (Object[]) codec.decode(request, loader);
            op = (Integer) frame[0];
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            return error(new IllegalArgumentException(MALFORMED + ObjectCodec.describe(e), e));
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Error e) {
            // NOTE: "never throws": an Error escaping here ended the serving thread (its trace printed in the manager)
            // and dropped the connection, so the caller read ManagerUnavailableException from a manager still running;
            // ObjectCodec turns a user's readObject Error into an IOException, this is the last guard
            return error(new IllegalArgumentException(MALFORMED + ObjectCodec.describe(e), e));
        }
        Object value;
        try {
            value = switch (op) {
                case ManagerWire.CALL -> call(session, (Long) frame[1], (Integer) frame[2], (Object[]) frame[3]);
                case ManagerWire.CREATE -> create(session, (String) frame[1], frame[2]);
                case ManagerWire.GET -> get(session, (String) frame[1], (String) frame[2], loader);
                case ManagerWire.MAKE -> make((String) frame[1], frame[2]);
                case ManagerWire.RELEASE -> release(session, (long[]) frame[1]);
                case ManagerWire.PING -> objectCount();
                case ManagerWire.SHUTDOWN -> {
                    shutdownRequested = true; // stop() follows once the reply is sent (ManagerAcceptor)
                    yield null;
                }
                default -> throw new IllegalArgumentException("unknown manager request " + op);
            };
        } catch (Throwable t) {
            return error(t);
        }
        REPLYING.set(new Reply(this, session));
        try {
            return codec.encode(new Object[] {ManagerWire.OK, value}, "a manager reply");
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            return error(e); // NOTE: an Error too: see the request's decoding above
        } finally {
            REPLYING.remove();
        }
    }

    private byte[] error(Throwable t) {
        return codec.encode(new Object[] {ManagerWire.ERROR, throwables.encode(t)}, "a manager error");
    }

    private Object call(long session, long id, int index, Object[] args) throws Throwable {
        Served s = served(id);
        hold(session, s);
        return s.invokeRemote(index, args);
    }

    private Served served(long id) {
        Served s = objects.get(id);
        if (s == null) {
            throw new IllegalStateException("object #" + id + " no longer exists in the manager at " + address
                    + " (every process holding a proxy of it ended or closed its RemoteManager, or the manager that made it"
                    + " ended and another serves at its address now)");
        }
        return s;
    }

    private Object create(long session, String typeName, Object initial) {
        TypeEntry type = types.get(typeName);
        if (type == null) {
            throw new IllegalArgumentException("the manager at " + address + " has no type " + typeName
                    + " (register it with Manager.builder().register)");
        }
        Object target = initial == null ? type.factory().get() : type.withInitial().apply(initial);
        if (!type.type().isInstance(target)) {
            throw new IllegalStateException("the factory of " + typeName + " made a "
                    + (target == null ? "null" : target.getClass().getName()) + ", not a " + type.type().getName());
        }
        Served s = add(target, type.type(), false);
        hold(session, s);
        return handleOf(s);
    }

    private Object get(long session, String name, String typeName, ClassLoader loader) throws ClassNotFoundException {
        Named entry = named.get(name);
        if (entry == null) {
            throw new IllegalArgumentException("nothing is registered as '" + name + "' in the manager at " + address
                    + "; registered: " + named.keySet());
        }
        Class<?> type = Class.forName(typeName, false, loader);
        if (!type.isInterface()) {
            throw new IllegalArgumentException(typeName + " is not an interface: a manager proxy implements an interface");
        }
        if (entry.exposed() != null && !type.isAssignableFrom(entry.exposed())) {
            throw new IllegalArgumentException("'" + name + "' is exposed as " + entry.exposed().getName() + ", not " + typeName);
        }
        Object target = entry.supplier().get();
        if (target instanceof Queue<?> queue && !type.isInstance(target)) {
            // NOTE: this library's Queue is a class, so no proxy can implement it: the client's get(name, Queue.class)
            // asks for a BlockingQueue, served as the queue's own view (Python's manager serves a registered
            // multiprocessing.Queue too). One view per queue, so that every get serves the same object.
            target = queueViews.computeIfAbsent(queue, q -> q.asBlockingQueue());
        }
        if (!type.isInstance(target)) {
            throw new IllegalArgumentException("'" + name + "' is a " + (target == null ? "null" : target.getClass().getName())
                    + ", which does not implement " + typeName);
        }
        Served s = add(target, type, false);
        hold(session, s);
        return handleOf(s);
    }

    private Object make(String kind, Object argument) {
        AutoCloseable object = SharedObjects.make(kind, argument);
        synchronized (made) {
            made.add(object);
        }
        return object;
    }

    private Object release(long session, long[] ids) {
        synchronized (this) {
            for (long id : ids) {
                Served s = objects.get(id);
                if (s != null && s.sessions.remove(session)) {
                    List<Long> held = sessionObjects.get(session);
                    if (held != null) {
                        held.remove(id);
                    }
                    releaseIfUnused(s);
                }
            }
        }
        return null;
    }

    private Served add(Object target, Class<?> type, boolean pinned) {
        MethodTable table = MethodTable.of(type);
        synchronized (this) {
            Served existing = byIdentity.get(target);
            if (existing != null && existing.table == table) {
                existing.pinned |= pinned;
                return existing;
            }
            Served s = new Served(nextId++, target, table, pinned);
            objects.put(s.id, s);
            if (existing == null) {
                byIdentity.put(target, s);
            }
            return s;
        }
    }

    private ProxyHandle handleOf(Served s) {
        String reached = REACHED.get();
        return new ProxyHandle(reached != null ? reached : address, embeddedKey, s.id, s.table.type().getName());
    }

    /**
     * For a server listening on a wildcard address ({@code 0.0.0.0}, {@code ::}), which means nothing to
     * another machine: the handles this thread (one connection's) makes carry {@code reached}, the address
     * that connection's client reached, as CPython's tokens carry the address the client connected to. The
     * core also answers to it in this JVM (a proxy of its own object decoded here calls it directly).
     */
    void handlesOnThisThreadCarry(String reached) {
        if (!reached.equals(address)) {
            synchronized (aliases) {
                // NOTE: under the lock close() walks the aliases with: none is registered after that walk
                if (!closed && aliases.add(reached)) {
                    SERVING.putIfAbsent(reached, this);
                }
            }
            REACHED.set(reached);
        }
    }

    /**
     * A handler calling {@code handle}'s object directly (a proxy decoded inside this manager). It does not
     * pin the object: it keeps it alive while it is reachable, and gives it its id back when it is
     * serialized again ({@link #resurface}).
     */
    ProxyHandler localHandler(ProxyHandle handle) {
        Served s = served(handle.id());
        return new ProxyHandler(handle, (index, args) -> callLocally(s, index, args), s.table, id -> resurface(s));
    }

    /**
     * A local handler of {@code s} is being serialized: the handle will be used by id, so {@code s} must be
     * in {@link #objects}. In a reply of this manager, the session it goes to holds it; anywhere else it is
     * pinned (it may reach any process).
     */
    private void resurface(Served s) {
        Reply reply = REPLYING.get();
        synchronized (this) {
            objects.putIfAbsent(s.id, s);
            byIdentity.putIfAbsent(s.target, s);
            if (reply != null && reply.core() == this) {
                hold(reply.session(), s);
            } else {
                s.pinned = true; // NOTE: also in another manager's reply: its client's session here has another id
            }
        }
    }

    /**
     * Calls {@code s} on this thread, interruptibly by {@link #close()}: a call that close interrupted and
     * that then fails throws {@link ManagerUnavailableException}; one that completed anyway returns its
     * result (its effect happened), with the interrupt close set cleared.
     */
    private Object callLocally(Served s, int index, Object[] args) throws Throwable {
        LocalCall call = new LocalCall();
        synchronized (localCalls) {
            if (closed) {
                throw new ManagerUnavailableException("the manager at " + address + " (in this JVM) is closed");
            }
            localCalls.add(call);
        }
        Object result = null;
        Throwable failure = null;
        try {
            result = s.invokeLocal(index, args);
        } catch (Throwable t) {
            failure = t;
        }
        boolean endedByClose;
        synchronized (localCalls) {
            localCalls.remove(call);
            endedByClose = call.endedByClose;
        }
        if (endedByClose) {
            // NOTE: the interrupt is close's, not the caller's (an interrupt of the caller's own at the same
            // moment is lost with it)
            Thread.interrupted();
            if (failure != null) {
                throw new ManagerUnavailableException("the manager at " + address
                        + " (in this JVM) was closed while this call ran: " + failure, failure);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    // ---- shutdown ----------------------------------------------------------------------------------

    /** True once {@link #stop()} was called. */
    boolean stopping() {
        return stopped.getCount() == 0;
    }

    /** True once a client asked for a SHUTDOWN; its connection calls {@link #stop()} after sending the reply. */
    boolean shutdownRequested() {
        return shutdownRequested;
    }

    void stop() {
        stopped.countDown();
    }

    void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /**
     * Forgets this core's address, interrupts the calls running in this JVM through its local handlers
     * (they throw {@link ManagerUnavailableException}), and closes the shared-memory objects it made.
     */
    void close() {
        closed = true;
        stop();
        synchronized (localCalls) {
            for (LocalCall call : localCalls) {
                call.endedByClose = true;
                call.thread.interrupt();
            }
        }
        SERVING.remove(address, this);
        synchronized (aliases) {
            for (String alias : aliases) {
                SERVING.remove(alias, this);
            }
        }
        synchronized (made) {
            for (AutoCloseable object : made) {
                try {
                    object.close();
                } catch (Exception ignored) {
                    // closing anyway
                }
            }
            made.clear();
        }
    }
}
