package org.multiprocessing4j.internal.wire;

import static org.multiprocessing4j.internal.wire.ObjectCodec.BOOLEAN;
import static org.multiprocessing4j.internal.wire.ObjectCodec.BYTE;
import static org.multiprocessing4j.internal.wire.ObjectCodec.BYTES;
import static org.multiprocessing4j.internal.wire.ObjectCodec.CHAR;
import static org.multiprocessing4j.internal.wire.ObjectCodec.DOUBLE;
import static org.multiprocessing4j.internal.wire.ObjectCodec.DOUBLES;
import static org.multiprocessing4j.internal.wire.ObjectCodec.ENTRY;
import static org.multiprocessing4j.internal.wire.ObjectCodec.FLOAT;
import static org.multiprocessing4j.internal.wire.ObjectCodec.INT;
import static org.multiprocessing4j.internal.wire.ObjectCodec.INTS;
import static org.multiprocessing4j.internal.wire.ObjectCodec.INT_LIST;
import static org.multiprocessing4j.internal.wire.ObjectCodec.LAMBDA;
import static org.multiprocessing4j.internal.wire.ObjectCodec.LIST;
import static org.multiprocessing4j.internal.wire.ObjectCodec.LONG;
import static org.multiprocessing4j.internal.wire.ObjectCodec.LONGS;
import static org.multiprocessing4j.internal.wire.ObjectCodec.LONG_LIST;
import static org.multiprocessing4j.internal.wire.ObjectCodec.NULL;
import static org.multiprocessing4j.internal.wire.ObjectCodec.REF;
import static org.multiprocessing4j.internal.wire.ObjectCodec.SHORT;
import static org.multiprocessing4j.internal.wire.ObjectCodec.STRING;
import static org.multiprocessing4j.internal.wire.ObjectCodec.STRING16;
import static org.multiprocessing4j.internal.wire.ObjectCodec.WITH_OBJECTS;

import java.io.IOException;
import java.lang.invoke.SerializedLambda;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.multiprocessing4j.Serializer;

/**
 * Writes one value whose top is a carried list, entry or serializable lambda (see {@link Containers},
 * {@link LambdaShape}) in {@link ObjectCodec}'s tree format, recursing through the fast paths. Values
 * the fast paths do not know are collected and written by the {@link Serializer} in one call at the end
 * (one object graph, so references among them survive), and the tree refers to them by index.
 *
 * <p>It gives up, and the caller sends the whole value through the serializer, when the fast path could
 * give a different result than the serializer would:
 * <ul>
 *   <li>a mutable object (array, {@code Object[]}, mutable or view list, {@code SimpleEntry}) is met twice: the serializer
 *       keeps the sharing (and cycles), copying each occurrence would not;</li>
 *   <li>the value holds both serializer objects and mutable fast-path objects: a serializer object might
 *       refer to one of them, and the two halves could not keep that reference;</li>
 *   <li>a lambda the fast path cannot rebuild (see {@link LambdaShape}), nesting deeper than
 *       {@value #MAX_DEPTH}, or the serializer failing on the collected objects (the whole-value attempt
 *       then succeeds where a graph-wide serializer can; if it fails, {@link #objectsFailure} finds the
 *       offending class).</li>
 * </ul>
 * Immutable values (boxed primitives, strings, the JDK's immutable lists, immutable entries, lambdas) are
 * not tracked: only {@code ==} could tell a copy from the original. Not thread-safe: one instance per call.
 */
final class FastPathWriter {
    static final int MAX_DEPTH = 64;
    /**
     * A {@code byte[]} at least this long is referenced, not copied, by {@link #encodeMessage} (as is a lambda's
     * cached shape, whatever its length).
     */
    static final int SPLICE_MIN = 64 << 10;
    private static final int SMALL_TRACKED = 16;
    private static final byte[] NONE = new byte[0];

    /** Thrown to abandon the fast path; carries no stack trace. */
    static final class NotFastPath extends Exception {
        static final NotFastPath INSTANCE = new NotFastPath();

        private NotFastPath() {
            super("not on the fast path", null, false, false);
        }
    }

    private final WireOutput out;
    /** Large byte arrays are spliced into {@link #out} instead of copied. */
    private final boolean splice;
    private Object firstTracked;
    private Object[] tracked; // made on second use: most tasks hold at most one mutable object
    private int trackedCount;
    private IdentityHashMap<Object, Boolean> manyTracked;
    private ArrayList<Object> objects;

    private FastPathWriter(WireOutput out, boolean splice) {
        this.out = out;
        this.splice = splice;
    }

    /** True if values of class {@code c} start a tree: a carried list or entry, or a serializable lambda. */
    static boolean startsTree(Class<?> c) {
        return Containers.listKind(c) != Containers.NOT_CARRIED || Containers.entryKind(c) != Containers.NOT_CARRIED
                || LambdaShape.of(c) != null;
    }

    /**
     * {@code prefix} followed by {@code value} encoded, or {@code null} when the value must go through the
     * serializer as a whole.
     */
    static byte[] encode(byte[] prefix, Object value, Serializer serializer) {
        return encode(prefix, value, serializer, false, null);
    }

    /**
     * As {@link #encode(byte[], Object, Serializer)}, as a message whose {@code byte[]}s of at least
     * {@link #SPLICE_MIN} bytes are referenced, not copied (unless serializer objects travel too: then
     * everything is copied), or {@code null}.
     */
    static EncodedMessage encodeMessage(byte[] prefix, Object value, Serializer serializer) {
        return encodeMessage(prefix, NONE, value, serializer);
    }

    /**
     * As {@link #encodeMessage(byte[], Object, Serializer)}, with {@code shared} between {@code prefix} and the
     * value, referenced like a spliced array however short (bytes that many messages repeat, such as a map
     * call's function; copied only when serializer objects travel too), or {@code null}.
     */
    static EncodedMessage encodeMessage(byte[] prefix, byte[] shared, Object value, Serializer serializer) {
        EncodedMessage[] message = new EncodedMessage[1];
        byte[] whole = encode(prefix, shared, value, serializer, true, message);
        return message[0] != null ? message[0] : whole == null ? null : EncodedMessage.of(whole);
    }

    /** The encoding; with {@code splice}, a tree without serializer objects goes to {@code message[0]} instead. */
    private static byte[] encode(byte[] prefix, Object value, Serializer serializer, boolean splice, EncodedMessage[] message) {
        return encode(prefix, NONE, value, serializer, splice, message);
    }

    private static byte[] encode(byte[] prefix, byte[] shared, Object value, Serializer serializer, boolean splice,
                                 EncodedMessage[] message) {
        int p = prefix.length + shared.length;
        WireOutput out = new WireOutput(prefix.length + sizeHint(value, splice));
        out.writeBytes(prefix, 0, prefix.length);
        if (shared.length > 0) {
            if (splice) {
                out.splice(shared);
            } else {
                out.writeBytes(shared, 0, shared.length);
            }
        }
        FastPathWriter writer = new FastPathWriter(out, splice);
        try {
            writer.write(value, 0);
        } catch (NotFastPath e) {
            return null;
        }
        if (writer.objects == null) {
            if (splice) {
                message[0] = out.toMessage();
                return null;
            }
            return out.toByteArray();
        }
        if (writer.trackedCount > 0) {
            return null;
        }
        byte[] objectBytes;
        try {
            objectBytes = serializer.toBytes(writer.objects.toArray());
        } catch (VirtualMachineError e) {
            if (!(e instanceof StackOverflowError)) {
                throw e;
            }
            return null; // NOTE: the whole value then goes to the serializer, whose failure names the culprit
        } catch (IOException | RuntimeException | Error e) {
            return null; // NOTE: an Error too (a writeObject's AssertionError): ObjectCodec reports it as the value's failure
        }
        byte[] tree = out.toByteArray();
        int treeLength = tree.length - p;
        WireOutput whole = new WireOutput(p + 5 + treeLength + objectBytes.length);
        whole.writeBytes(tree, 0, p);
        whole.writeByte(WITH_OBJECTS);
        whole.writeInt(treeLength);
        whole.writeBytes(tree, p, treeLength);
        whole.writeBytes(objectBytes, 0, objectBytes.length);
        return whole.toByteArray();
    }

    /**
     * The serializer's failure to write the objects that {@code value}'s tree collects (the values inside it
     * that the fast paths do not know), or {@code null} if it writes them, the tree collects none, or
     * {@code value} cannot be written as a tree. For a value that the serializer failed to write as a whole: that
     * attempt may stop first at a container only the fast path carries (a {@code Map.entry} is not
     * {@code Serializable}) and name it, while this names a class that really cannot be written. Runs the
     * serializer again, so only on that failure's path.
     */
    static Throwable objectsFailure(Object value, Serializer serializer) {
        FastPathWriter writer = new FastPathWriter(new WireOutput(sizeHint(value, false)), false);
        try {
            writer.write(value, 0);
        } catch (NotFastPath e) {
            return null;
        }
        if (writer.objects == null) {
            return null;
        }
        try {
            serializer.toBytes(writer.objects.toArray());
            return null;
        } catch (VirtualMachineError e) {
            if (!(e instanceof StackOverflowError)) {
                throw e;
            }
            return e;
        } catch (IOException | RuntimeException | Error e) {
            return e;
        }
    }

    /**
     * A first guess at the size of {@code value}'s tree: exact for a packed list of numbers (a small chunk of a
     * map call must not carry a buffer many times its size), the lambda's hint (without its shape when that is
     * spliced), else room for a small value.
     */
    private static int sizeHint(Object value, boolean splice) {
        if (value instanceof PackedList<?> packed) {
            int n = packed.size();
            if (packed.packedInts() != null) {
                return 6 + 4 * n;
            }
            if (packed.packedLongs() != null) {
                return 6 + 8 * n;
            }
        }
        LambdaShape lambda = LambdaShape.of(value.getClass());
        return lambda == null ? 256 : splice ? LambdaShape.CAPTURED_SIZE_HINT : lambda.encodedSizeHint();
    }

    private void write(Object value, int depth) throws NotFastPath {
        switch (value) {
            case null -> out.writeByte(NULL);
            case Integer i -> {
                out.writeByte(INT);
                out.writeInt(i);
            }
            case Long l -> {
                out.writeByte(LONG);
                out.writeLong(l);
            }
            case Double d -> {
                out.writeByte(DOUBLE);
                out.writeLong(Double.doubleToRawLongBits(d));
            }
            case Boolean b -> {
                out.writeByte(BOOLEAN);
                out.writeByte(b ? 1 : 0);
            }
            case Byte b -> {
                out.writeByte(BYTE);
                out.writeByte(b);
            }
            case Short s -> {
                out.writeByte(SHORT);
                out.writeByte(s);
                out.writeByte(s >>> 8);
            }
            case Character c -> {
                out.writeByte(CHAR);
                out.writeByte(c);
                out.writeByte(c >>> 8);
            }
            case Float f -> {
                out.writeByte(FLOAT);
                out.writeInt(Float.floatToRawIntBits(f));
            }
            case String s -> {
                byte[] utf8 = Utf8.exact(s);
                if (utf8 == null) {
                    // NOTE: an unpaired surrogate, which UTF-8 cannot carry: every char as it is
                    out.writeByte(STRING16);
                    out.writeInt(s.length());
                    for (int i = 0; i < s.length(); i++) {
                        char c = s.charAt(i);
                        out.writeByte(c);
                        out.writeByte(c >>> 8);
                    }
                } else {
                    out.writeByte(STRING);
                    out.writeInt(utf8.length);
                    out.writeBytes(utf8, 0, utf8.length);
                }
            }
            case byte[] a -> {
                track(a);
                out.writeByte(BYTES);
                out.writeInt(a.length);
                if (splice && a.length >= SPLICE_MIN) {
                    out.splice(a);
                } else {
                    out.writeBytes(a, 0, a.length);
                }
            }
            case int[] a -> {
                track(a);
                out.writeByte(INTS);
                out.writeInt(a.length);
                out.writeInts(a);
            }
            case long[] a -> {
                track(a);
                out.writeByte(LONGS);
                out.writeInt(a.length);
                out.writeLongs(a);
            }
            case double[] a -> {
                track(a);
                out.writeByte(DOUBLES);
                out.writeInt(a.length);
                out.writeDoubles(a);
            }
            default -> writeComposite(value, depth);
        }
    }

    private void writeComposite(Object value, int depth) throws NotFastPath {
        if (depth >= MAX_DEPTH) {
            throw NotFastPath.INSTANCE;
        }
        Class<?> c = value.getClass();
        int listKind = Containers.listKind(c);
        if (listKind != Containers.NOT_CARRIED) {
            if (!Containers.immutableList(c)) {
                track(value);
            }
            if (value instanceof PackedList<?> packed && writePacked(packed)) {
                return;
            }
            Object[] items = listKind == Containers.OBJECT_ARRAY ? ((Object[]) value).clone() : ((List<?>) value).toArray();
            writeList(listKind, items, depth);
            return;
        }
        int entryKind = Containers.entryKind(c);
        if (entryKind != Containers.NOT_CARRIED) {
            if (entryKind == Containers.SIMPLE_ENTRY) {
                track(value);
            }
            Map.Entry<?, ?> entry = (Map.Entry<?, ?>) value;
            Object key = entry.getKey();
            Object entryValue = entry.getValue();
            out.writeByte(ENTRY);
            out.writeByte(entryKind);
            write(key, depth + 1);
            write(entryValue, depth + 1);
            return;
        }
        LambdaShape shape = LambdaShape.of(c);
        if (shape != null) {
            writeLambda(shape, value, depth);
            return;
        }
        if (objects == null) {
            objects = new ArrayList<>();
        }
        out.writeByte(REF);
        out.writeInt(objects.size());
        objects.add(value);
    }

    /** {@code items} is a snapshot ({@code toArray}, {@code clone}), so a list changed meanwhile cannot tear the message. */
    private void writeList(int kind, Object[] items, int depth) throws NotFastPath {
        int n = items.length;
        if (n > 0 && items[0] instanceof Integer && allOf(items, Integer.class)) {
            out.writeByte(INT_LIST);
            out.writeByte(kind);
            out.writeInt(n);
            out.ensure(4L * n);
            for (Object item : items) {
                out.writeIntReserved((Integer) item);
            }
            return;
        }
        if (n > 0 && items[0] instanceof Long && allOf(items, Long.class)) {
            out.writeByte(LONG_LIST);
            out.writeByte(kind);
            out.writeInt(n);
            out.ensure(8L * n);
            for (Object item : items) {
                out.writeLongReserved((Long) item);
            }
            return;
        }
        out.writeByte(LIST);
        out.writeByte(kind);
        out.writeInt(n);
        for (Object item : items) {
            write(item, depth + 1);
        }
    }

    /** A packed list's numbers straight from its arrays, as the list forms above; false if it is no longer packed. */
    private boolean writePacked(PackedList<?> packed) {
        int[][] ints = packed.packedInts();
        long[][] longs = packed.packedLongs();
        int n = packed.size();
        if (ints == null && longs == null || n == 0) {
            return false;
        }
        out.writeByte(ints != null ? INT_LIST : LONG_LIST);
        out.writeByte(Containers.MUTABLE);
        out.writeInt(n);
        if (ints != null) {
            for (int[] part : ints) {
                out.writeInts(part);
            }
        } else {
            for (long[] part : longs) {
                out.writeLongs(part);
            }
        }
        return true;
    }

    private static boolean allOf(Object[] items, Class<?> type) {
        for (Object item : items) {
            if (item == null || item.getClass() != type) {
                return false;
            }
        }
        return true;
    }

    private void writeLambda(LambdaShape shape, Object lambda, int depth) throws NotFastPath {
        SerializedLambda form = shape.serializedForm(lambda);
        byte[] shapeBytes = form == null ? null : shape.shapeBytes(lambda, form);
        int count = form == null ? 0 : form.getCapturedArgCount();
        if (shapeBytes == null || count > 255) {
            throw NotFastPath.INSTANCE;
        }
        for (int i = 0; i < count; i++) {
            refuseSharedState(form.getCapturedArg(i), form);
        }
        out.writeByte(LAMBDA);
        out.writeInt(shapeBytes.length);
        if (splice) {
            // NOTE: a shape is cached and never changes: a message references it (a task's lambda is mostly its shape)
            out.splice(shapeBytes);
        } else {
            out.writeBytes(shapeBytes, 0, shapeBytes.length);
        }
        out.writeByte(count);
        for (int i = 0; i < count; i++) {
            write(form.getCapturedArg(i), depth + 1);
        }
    }

    /**
     * Refuses a JDK object whose whole point is state shared between threads (a lock, an atomic, a blocking
     * queue, a semaphore) captured by a lambda: serialized, it would reach the other process as a copy that
     * shares nothing, silently (a child's {@code incrementAndGet} would never show in the parent). CPython
     * refuses to pickle its locks and queues the same way. The library's own types (which implement some of
     * these interfaces) are shared, and other JDK objects are plain values, copied as in CPython.
     *
     * @throws IllegalArgumentException naming the class and what to use instead
     */
    private static void refuseSharedState(Object captured, SerializedLambda form) {
        if (captured == null || captured.getClass().getClassLoader() != null) {
            return; // not a JDK class (the library's Lock, Queue view and proxies are shared across processes)
        }
        Class<?> type = captured.getClass();
        if (captured instanceof java.util.concurrent.locks.Lock || captured instanceof java.util.concurrent.locks.ReadWriteLock
                || captured instanceof java.util.concurrent.BlockingQueue || captured instanceof java.util.concurrent.Semaphore
                || type.getPackageName().equals("java.util.concurrent.atomic")) {
            throw new IllegalArgumentException("a lambda of " + form.getCapturingClass().replace('/', '.') + " captures a "
                    + type.getName() + ", which would reach the other process as a copy that shares nothing with this one"
                    + " (CPython refuses to pickle its locks and queues likewise): to share state between processes use"
                    + " org.multiprocessing4j's Lock, RLock, Semaphore, Value, Array or Queue, or a manager's objects");
        }
    }

    /** Records a mutable object; meeting it a second time (sharing, or a cycle) abandons the fast path. */
    private void track(Object o) throws NotFastPath {
        if (manyTracked != null) {
            if (manyTracked.put(o, Boolean.TRUE) != null) {
                throw NotFastPath.INSTANCE;
            }
            trackedCount++;
            return;
        }
        if (trackedCount == 0) {
            // NOTE: most values track one object (the list itself): no array for it
            firstTracked = o;
            trackedCount = 1;
            return;
        }
        if (firstTracked == o) {
            throw NotFastPath.INSTANCE;
        }
        if (tracked == null) {
            tracked = new Object[SMALL_TRACKED];
            tracked[0] = firstTracked;
        }
        for (int i = 1; i < trackedCount; i++) {
            if (tracked[i] == o) {
                throw NotFastPath.INSTANCE;
            }
        }
        if (trackedCount < SMALL_TRACKED) {
            tracked[trackedCount++] = o;
            return;
        }
        manyTracked = new IdentityHashMap<>();
        for (Object t : tracked) {
            manyTracked.put(t, Boolean.TRUE);
        }
        manyTracked.put(o, Boolean.TRUE);
        trackedCount++;
    }
}
