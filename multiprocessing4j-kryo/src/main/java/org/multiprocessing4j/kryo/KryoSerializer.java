package org.multiprocessing4j.kryo;

import com.esotericsoftware.kryo.KryoException;
import java.io.IOException;
import java.io.InvalidClassException;
import java.util.Objects;
import org.multiprocessing4j.Serializer;

/**
 * A {@link Serializer} built on Kryo 5 that ships objects whose classes are not {@code Serializable},
 * as the {@code multiprocess}/dill package does for Python's pickle. Select it by class name; every JVM
 * of a context makes its own instance with the public no-argument constructor.
 *
 * <h2>What it can ship</h2>
 * <ul>
 *   <li>Objects of any class, {@code Serializable} or not, registered or not, field by field (an anonymous
 *       or inner class's captured values and enclosing instance included, as JDK serialization sends them); classes
 *       without a no-argument constructor are instantiated without running one (Objenesis), so their
 *       constructors' checks and side effects do not happen on the receiving side. A {@code Serializable} class
 *       with no JDK superclass is always made that way, as JDK serialization makes it (its own
 *       constructors never run), so decoding a library handle such as a {@code Queue} creates nothing.
 *       Shared and cyclic references are kept. {@code transient} fields are not sent.</li>
 *   <li>{@code Serializable} classes that take part in their own serialization (declare
 *       {@code writeReplace}, {@code readResolve}, {@code readObject}, {@code writeObject} or
 *       {@code readObjectNoData}, or are {@code Externalizable}), by JDK serialization, so those methods
 *       run as they would with the default codec (a handle replaced by a reference and remade on
 *       arrival, a singleton kept single, a transient cache rebuilt); their fields must then be
 *       {@code Serializable}.</li>
 *   <li>Serializable lambdas (target type extends {@code java.io.Serializable}), including ones that
 *       capture objects that are not {@code Serializable}; the capturing class must be open to
 *       {@code org.multiprocessing4j.kryo} (always so on the class path).</li>
 *   <li>Dynamic proxies, a manager's proxies among them, by JDK serialization (their generated classes exist in
 *       no other JVM; a manager proxy travels as its handle). {@code AbstractMap.SimpleImmutableEntry} and
 *       {@code SimpleEntry} (a starmap's pairs) by key and value, which need not be {@code Serializable}.</li>
 *   <li>Exceptions, by JDK serialization, so type, message, cause, suppressed exceptions and stack
 *       trace arrive intact; an exception whose fields are not {@code Serializable} cannot be sent.</li>
 *   <li>The JDK's collections and maps that are fully described by their items ({@code ArrayList},
 *       {@code LinkedList}, {@code ArrayDeque}, {@code Vector}, {@code Stack}, {@code HashSet},
 *       {@code LinkedHashSet}, {@code HashMap}, {@code LinkedHashMap}, {@code Hashtable},
 *       {@code IdentityHashMap}, {@code CopyOnWriteArrayList}, {@code CopyOnWriteArraySet},
 *       {@code ConcurrentHashMap}, {@code ConcurrentLinkedQueue}, {@code ConcurrentLinkedDeque}), and
 *       {@code TreeMap}, {@code TreeSet}, {@code PriorityQueue}, {@code ConcurrentSkipListMap} with their
 *       comparators: rebuilt item by item, so the items need not be {@code Serializable}. A
 *       {@code LinkedHashMap} arrives in insertion order even if it was made in access order.</li>
 *   <li>Other {@code Serializable} JDK classes (other collections such as {@code Properties} or the
 *       bounded blocking queues, whose capacity or defaults item-by-item rebuilding would lose; the
 *       unmodifiable, synchronized and immutable wrappers; {@code Locale}, {@code ZonedDateTime},
 *       {@code TimeZone}, {@code Calendar}, {@code Random}...), and an application's subclass of a JDK class,
 *       by JDK serialization: their contents must be {@code Serializable}. Only JDK values that Kryo's own
 *       serializers carry whole (boxes, strings, {@code BigDecimal}, {@code Date}, {@code UUID}, most of
 *       {@code java.time}, {@code EnumSet}...) go by Kryo, and only as those exact classes.</li>
 * </ul>
 * The parts of a message that go by JDK serialization share one stream, so an object in two of them
 * arrives as one. An object reached both through such a part and through a part Kryo writes (or a cycle
 * through one) would arrive as two: then the whole message goes by JDK serialization, which keeps it one,
 * and if the graph is not {@code Serializable} as a whole, {@link #toBytes} fails saying so rather than
 * split the object.
 * Which way a class goes depends only on the class (its package name, its methods), never on the
 * JVM's {@code --add-opens} flags, so JVMs started with different flags read each other's messages.
 *
 * <h2>What it cannot ship</h2>
 * Lambdas that are not serializable; a lambda reachable from its own captured values; objects whose
 * class has no equivalent on the other side (both sides must run the same class versions: the format
 * carries no schema); JDK classes that are neither {@code Serializable} nor known to Kryo (threads,
 * sockets, streams), nor views of a JDK collection that are not {@code Serializable} ({@code keySet()},
 * {@code values()}, {@code entrySet()} of a {@code HashMap}, {@code subList} of an {@code ArrayList}: copy
 * them into a new collection); a {@code SimpleImmutableEntry} reachable from its own value in a graph that
 * is not {@code Serializable} as a whole; an object graph deeper than the calling thread's stack allows (a linked chain of
 * some 10^4 to 10^5 nodes, depending on the stack size). {@link #toBytes} reports each of these as an
 * {@link IOException} whose message names the class it could not write.
 *
 * <h2>Thread-safety</h2>
 * Thread-safe: one instance serves every thread of a JVM. Kryo instances are not thread-safe, so each
 * platform thread that calls this codec keeps a Kryo of its own (about as long-lived as the thread),
 * and virtual threads borrow one from a shared pool (created on demand, at most {@link #MAX_POOLED}
 * kept idle). No call blocks on another. Encoding and decoding run in the caller's thread.
 *
 * <h2>Security</h2>
 * Decoding instantiates any class a message names, without running constructors, and sets its fields:
 * like pickle, it must only read bytes from a trusted peer. multiprocessing4j reads only from peers that
 * passed the authkey handshake, and after authentication the peer is trusted. Every class named in a
 * message is still checked against the JVM-wide filter ({@code -Djdk.serialFilter}); a rejected class
 * fails the read with an {@link InvalidClassException}.
 */
public final class KryoSerializer implements Serializer {
    static {
        // NOTE: before any Kryo class loads. Kryo's Unsafe helpers make JDK 24+ print a warning in every
        // JVM (children included); without them Kryo uses plain reflection, which this codec's
        // serializers do not depend on. An explicit -Dkryo.unsafe=true still wins.
        if (System.getProperty("kryo.unsafe") == null) {
            System.setProperty("kryo.unsafe", "false");
        }
        // NOTE: Kryo reports a failure through KryoException.addTrace, which appends to a StringBuffer. If the
        // first failure in a JVM is a StackOverflowError (a graph too deep for the stack), those classes
        // would be initialised at the overflowing depth, fail, and stay unusable for the JVM's lifetime
        // (NoClassDefFoundError from then on, in every caller of StringBuffer). Initialise them here.
        new KryoException("initialise KryoException and StringBuffer").addTrace("at a shallow depth");
    }

    /** At most this many characters of Kryo's account of a failure go into an exception's message. */
    static final int MAX_MESSAGE_CHARS = 1_000;

    /**
     * At most this many idle Kryo instances are kept for virtual threads; more may exist while more
     * virtual threads encode at once.
     */
    public static final int MAX_POOLED = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    private final Sessions sessions = new Sessions(MAX_POOLED);

    /** Creates a codec; Kryo instances are made on a thread's first call (or by {@link #warmUp()}). */
    public KryoSerializer() {
    }

    /**
     * Encodes {@code object}, which may be {@code null}.
     *
     * @throws IOException if some object in the graph cannot be written, or the graph is too deep for the
     *     calling thread's stack; the message names the class of {@code object}, Kryo's account of the
     *     failing field and the class JDK serialization refused, if any (at most about
     *     {@code 2 * MAX_MESSAGE_CHARS} characters). No partial data is returned.
     */
    @Override
    public byte[] toBytes(Object object) throws IOException {
        KryoSession session = sessions.obtain();
        boolean clean = false;
        try {
            byte[] bytes = session.write(object);
            clean = true;
            return bytes;
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            throw new IOException("KryoSerializer cannot write " + className(object) + ": " + describe(e), cause(e));
        } finally {
            done(session, clean);
        }
    }

    /**
     * Decodes what {@link #toBytes} wrote, resolving classes through {@code loader} (and, failing that,
     * through the loader that loaded Kryo).
     *
     * @throws ClassNotFoundException if a class the message names is not found
     * @throws InvalidClassException if the JVM-wide serialization filter rejects a class
     * @throws IOException if the bytes are not a complete message from this codec, or the graph is too
     *     deep for the calling thread's stack
     */
    @Override
    public Object fromBytes(byte[] data, int offset, int length, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        Objects.checkFromIndexSize(offset, length, data.length);
        Objects.requireNonNull(loader, "loader");
        KryoSession session = sessions.obtain();
        boolean clean = false;
        try {
            Object object = session.read(data, offset, length, loader);
            clean = true;
            return object;
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            throw readFailure(e);
        } finally {
            done(session, clean);
        }
    }

    /**
     * Pays the one-time costs (loading Kryo's classes, building its serializers for common JDK types, the
     * lambda and JDK-serialization paths) by sending a lambda, an exception and collections through the
     * calling thread's Kryo, which that thread keeps. Other threads still build their own Kryo on first use.
     */
    @Override
    public void warmUp() {
        try {
            WarmUp.run(this);
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("KryoSerializer failed its own warm-up", e);
        }
    }

    /** A session goes back only if its call finished cleanly; otherwise its Kryo may hold a broken graph. */
    private void done(KryoSession session, boolean clean) {
        if (clean) {
            sessions.release(session);
        } else {
            sessions.discard(session);
        }
    }

    private static IOException readFailure(Throwable e) throws ClassNotFoundException {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ClassNotFoundException notFound) {
                throw notFound;
            }
            if (c instanceof InvalidClassException invalid) {
                return invalid;
            }
        }
        return new IOException("KryoSerializer cannot read the message: " + describe(e), cause(e));
    }

    /**
     * What went wrong, short: a stack overflow says so; otherwise the failure's message followed by its
     * causes' (JDK serialization's {@code NotSerializableException} names the class it refused), with
     * Kryo's field trace cut to {@link #MAX_MESSAGE_CHARS}.
     */
    static String describe(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof StackOverflowError) {
                return "the object graph is too deep for this thread's stack (StackOverflowError); send a long"
                        + " chain as an array or list, or use a thread with a larger stack";
            }
        }
        StringBuilder causes = new StringBuilder();
        String own = String.valueOf(failure.getMessage());
        for (Throwable c = failure.getCause(); c != null && causes.length() < MAX_MESSAGE_CHARS; c = c.getCause()) {
            causes.append(" <- ").append(c.getClass().getName());
            if (c.getMessage() != null && !own.contains(c.getMessage())) {
                causes.append(": ").append(c.getMessage());
            }
        }
        return cut(own) + cut(causes.toString());
    }

    /**
     * The failure to attach as the cause: for a stack overflow the {@link StackOverflowError} itself, not
     * Kryo's wrapper, whose message lists every level of the graph (hundreds of thousands of lines).
     */
    private static Throwable cause(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof StackOverflowError overflow) {
                return overflow;
            }
        }
        return failure;
    }

    private static String cut(String text) {
        return text.length() <= MAX_MESSAGE_CHARS ? text : text.substring(0, MAX_MESSAGE_CHARS) + "...";
    }

    private static String className(Object object) {
        return object == null ? "null" : object.getClass().getName();
    }
}
