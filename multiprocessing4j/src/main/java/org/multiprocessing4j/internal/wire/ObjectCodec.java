package org.multiprocessing4j.internal.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.StreamCorruptedException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import org.multiprocessing4j.Serializer;

/**
 * Encodes one object into a self-describing byte array: hand-written fast paths for {@code null}, boxed
 * primitives, {@code String}, primitive arrays, the JDK's common lists and map entries, and serializable
 * lambdas; everything else through the {@link Serializer}. Thread-safe if the serializer is.
 *
 * <h2>Wire format</h2>
 * {@code tag(1) | body}, all numbers little-endian, lengths and counts {@code int32}:
 * <table>
 *   <caption>Tags</caption>
 *   <tr><th>tag</th><th>name</th><th>body</th></tr>
 *   <tr><td>0</td><td>NULL</td><td>nothing</td></tr>
 *   <tr><td>1, 2</td><td>INT, LONG</td><td>{@code int32}, {@code int64}</td></tr>
 *   <tr><td>3</td><td>DOUBLE</td><td>{@code int64} raw bits</td></tr>
 *   <tr><td>4</td><td>BOOLEAN</td><td>{@code 0 | 1}</td></tr>
 *   <tr><td>5</td><td>STRING</td><td>{@code length | UTF-8 bytes}</td></tr>
 *   <tr><td>22</td><td>STRING16</td><td>{@code count | UTF-16 chars, low byte first}: a string with an unpaired
 *       surrogate, which UTF-8 cannot carry ({@link Utf8})</td></tr>
 *   <tr><td>6, 7, 8, 9</td><td>BYTES, INTS, LONGS, DOUBLES</td><td>{@code count | elements}</td></tr>
 *   <tr><td>10</td><td>OBJECT</td><td>the serializer's bytes, to the end (top level only)</td></tr>
 *   <tr><td>11, 12, 13, 14</td><td>BYTE, SHORT, CHAR, FLOAT</td><td>1, 2, 2, 4 bytes (float: raw bits)</td></tr>
 *   <tr><td>15</td><td>LIST</td><td>{@code kind(1) | count | value...} (each element is {@code tag | body})</td></tr>
 *   <tr><td>16</td><td>INT_LIST</td><td>{@code kind(1) | count | int32...}: a list of non-null {@code Integer}s only</td></tr>
 *   <tr><td>17</td><td>LONG_LIST</td><td>{@code kind(1) | count | int64...}: a list of non-null {@code Long}s only</td></tr>
 *   <tr><td>18</td><td>ENTRY</td><td>{@code kind(1) | key value}</td></tr>
 *   <tr><td>19</td><td>LAMBDA</td><td>{@code shapeLength | shape | argCount(1) | value...}: shape as in {@link LambdaShape}</td></tr>
 *   <tr><td>20</td><td>REF</td><td>{@code index}: the index-th serializer object of the enclosing WITH_OBJECTS</td></tr>
 *   <tr><td>21</td><td>WITH_OBJECTS</td><td>{@code treeLength | tree | serializer bytes of an Object[]}, to the
 *       end (top level only): a tree that holds REFs</td></tr>
 * </table>
 * List and entry kinds, and what each list or entry class becomes when decoded, are in {@link Containers}
 * (in short: mutable lists arrive as {@code ArrayList}, unmodifiable ones as an unmodifiable list; kind 2
 * of the list tags is an {@code Object[]}).
 *
 * <h2>What takes which path</h2>
 * Scalars, strings and primitive arrays are always written by hand. A carried list or entry, or a
 * serializable lambda, is written as a tree ({@link FastPathWriter}): its elements or captured arguments
 * take the fast paths recursively, and anything else inside is written by the serializer in one call for
 * the whole message (WITH_OBJECTS). A lambda is rebuilt through its capturing class's
 * {@code $deserializeLambda$}, as JDK serialization does ({@link LambdaFactory}). The whole value goes to
 * the serializer instead (tag OBJECT), so that the result is always what the serializer would give, when
 * the tree writer cannot promise that: see {@link FastPathWriter} (shared or cyclic mutable objects,
 * serializer objects beside mutable ones, a lambda in a module that does not open its package, a
 * capturing class without {@code $deserializeLambda$}, a value the serializer refuses).
 *
 * <h2>Decoding untrusted bytes</h2>
 * Every length and count is checked against the bytes present before allocating, nesting is bounded,
 * trailing bytes are refused, and every failure is an {@link IOException} (or a
 * {@link ClassNotFoundException} for a class the loader cannot see); lambdas are rebuilt only through
 * {@code $deserializeLambda$}, which accepts only lambdas its class declares (javac's checks the
 * implementation method's kind, class, name and signature, and the functional interface).
 */
public final class ObjectCodec {
    static final byte NULL = 0;
    static final byte INT = 1;
    static final byte LONG = 2;
    static final byte DOUBLE = 3;
    static final byte BOOLEAN = 4;
    static final byte STRING = 5;
    static final byte BYTES = 6;
    static final byte INTS = 7;
    static final byte LONGS = 8;
    static final byte DOUBLES = 9;
    static final byte OBJECT = 10;
    static final byte BYTE = 11;
    static final byte SHORT = 12;
    static final byte CHAR = 13;
    static final byte FLOAT = 14;
    static final byte LIST = 15;
    static final byte INT_LIST = 16;
    static final byte LONG_LIST = 17;
    static final byte ENTRY = 18;
    static final byte LAMBDA = 19;
    static final byte REF = 20;
    static final byte WITH_OBJECTS = 21;
    static final byte STRING16 = 22;

    private static final byte[] NO_PREFIX = new byte[0];

    private final Serializer serializer;

    public ObjectCodec(Serializer serializer) {
        this.serializer = serializer;
    }

    public Serializer serializer() {
        return serializer;
    }

    /**
     * Encodes {@code value}. A value the serializer cannot write fails with an
     * {@link IllegalArgumentException} that names the offending class and says what was being sent.
     */
    public byte[] encode(Object value, String what) {
        return encodeAfter(NO_PREFIX, value, what);
    }

    /**
     * {@code prefix} followed by the encoding of {@code value}, in one array: what a caller that frames the
     * encoding with a header of its own (a pool task, an answer) sends, without copying the encoding again
     * (for a large {@code byte[]} argument, that copy and its allocation cost as much as the encoding).
     * Decode with {@link #decode(byte[], int, int, ClassLoader)} from {@code prefix.length}. Fails as
     * {@link #encode} does.
     */
    public byte[] encodeAfter(byte[] prefix, Object value, String what) {
        return switch (value) {
            case null -> after(prefix, 1).put(NULL).array();
            case Integer i -> after(prefix, 5).put(INT).putInt(i).array();
            case Long l -> after(prefix, 9).put(LONG).putLong(l).array();
            case Double d -> after(prefix, 9).put(DOUBLE).putDouble(d).array();
            case Boolean b -> after(prefix, 2).put(BOOLEAN).put((byte) (b ? 1 : 0)).array();
            case Byte b -> after(prefix, 2).put(BYTE).put(b).array();
            case Short v -> after(prefix, 3).put(SHORT).putShort(v).array();
            case Character c -> after(prefix, 3).put(CHAR).putChar(c).array();
            case Float f -> after(prefix, 5).put(FLOAT).putInt(Float.floatToRawIntBits(f)).array();
            case String s -> {
                byte[] utf8 = Utf8.exact(s);
                if (utf8 == null) {
                    // NOTE: an unpaired surrogate, which UTF-8 cannot carry: every char as it is
                    ByteBuffer out = after(prefix, 5 + 2 * s.length()).put(STRING16).putInt(s.length());
                    for (int i = 0; i < s.length(); i++) {
                        out.putChar(s.charAt(i));
                    }
                    yield out.array();
                }
                yield after(prefix, 5 + utf8.length).put(STRING).putInt(utf8.length).put(utf8).array();
            }
            case byte[] b -> after(prefix, 5 + b.length).put(BYTES).putInt(b.length).put(b).array();
            case int[] a -> {
                ByteBuffer out = after(prefix, 5 + 4 * a.length).put(INTS).putInt(a.length);
                out.asIntBuffer().put(a);
                yield out.array();
            }
            case long[] a -> {
                ByteBuffer out = after(prefix, 5 + 8 * a.length).put(LONGS).putInt(a.length);
                out.asLongBuffer().put(a);
                yield out.array();
            }
            case double[] a -> {
                ByteBuffer out = after(prefix, 5 + 8 * a.length).put(DOUBLES).putInt(a.length);
                out.asDoubleBuffer().put(a);
                yield out.array();
            }
            default -> encodeOther(prefix, value, what);
        };
    }

    /**
     * As {@link #encodeAfter}, as a message whose {@code byte[]}s of at least 64 KiB (the value itself, or
     * inside a carried list, entry or lambda) are referenced instead of copied: the message's bytes are
     * read from those arrays when it is sent ({@link EncodedMessage}), so sending a MiB-sized argument
     * copies it once, straight into the channel. The caller must not change such an array before the
     * message is sent (as with CPython's pool, whose task thread pickles an argument when it sends it).
     * Fails as {@link #encode} does, in this thread.
     */
    public EncodedMessage encodeMessage(byte[] prefix, Object value, String what) {
        if (value instanceof byte[] b && b.length >= FastPathWriter.SPLICE_MIN) {
            byte[] head = after(prefix, 5).put(BYTES).putInt(b.length).array();
            return new EncodedMessage(head, head.length, new int[] {head.length}, new byte[][] {b});
        }
        if (value != null && FastPathWriter.startsTree(value.getClass())) {
            EncodedMessage message = FastPathWriter.encodeMessage(prefix, value, serializer);
            return message != null ? message : EncodedMessage.of(encodeObject(prefix, value, what));
        }
        return EncodedMessage.of(encodeAfter(prefix, value, what));
    }

    /**
     * As {@link #encodeMessage(byte[], Object, String)} with {@code prefix} followed by {@code shared}, whose
     * bytes are referenced, not copied, however few: bytes that many messages repeat (a map call's function
     * in each of its chunks). {@code shared} must not change until the message is sent. Fails as
     * {@link #encode} does.
     */
    public EncodedMessage encodeMessage(byte[] prefix, byte[] shared, Object value, String what) {
        boolean tree = value != null && FastPathWriter.startsTree(value.getClass());
        if (tree) {
            EncodedMessage message = FastPathWriter.encodeMessage(prefix, shared, value, serializer);
            if (message != null) {
                return message;
            }
        }
        byte[] whole = Arrays.copyOf(prefix, prefix.length + shared.length);
        System.arraycopy(shared, 0, whole, prefix.length, shared.length);
        return tree ? EncodedMessage.of(encodeObject(whole, value, what)) : encodeMessage(whole, value, what);
    }

    private byte[] encodeOther(byte[] prefix, Object value, String what) {
        if (FastPathWriter.startsTree(value.getClass())) {
            byte[] tree = FastPathWriter.encode(prefix, value, serializer);
            if (tree != null) {
                return tree;
            }
        }
        return encodeObject(prefix, value, what);
    }

    private byte[] encodeObject(byte[] prefix, Object value, String what) {
        byte[] body;
        try {
            body = serializer.toBytes(value);
        } catch (VirtualMachineError e) {
            if (!(e instanceof StackOverflowError)) {
                throw e;
            }
            throw cannotEncode(value, what, culprit(value, e));
        } catch (IOException | RuntimeException | Error e) {
            // NOTE: an Error too: a writeObject (writeReplace, writeExternal) that throws an Error (an AssertionError, a
            // LinkageError) escaped every caller's put, send or start as that bare Error, unexplained, and in a
            // background thread (a manager's) it ended the thread; it is the value's failure like any other
            throw cannotEncode(value, what, culprit(value, e));
        }
        byte[] out = new byte[prefix.length + 1 + body.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        out[prefix.length] = OBJECT;
        System.arraycopy(body, 0, out, prefix.length + 1, body.length);
        return out;
    }

    /**
     * The failure to report for {@code value}, which the serializer failed to write as a whole with
     * {@code failure}: for a value written as a tree, the serializer's failure on the objects inside it that the
     * fast paths do not know, if it fails on them ({@link FastPathWriter#objectsFailure}); else {@code failure}.
     *
     * @implNote The whole value's failure may be at a container that only the fast path carries: a target capturing
     * a {@code Map.entry} beside an object that cannot be written, or a queue item holding such an entry, failed
     * naming {@code java.util.KeyValueHolder} (which JDK serialization meets first and refuses) instead of the
     * object's class; and a graph too deep for the stack inside an entry was reported as that entry's class not
     * being writable.
     */
    private Throwable culprit(Object value, Throwable failure) {
        if (!FastPathWriter.startsTree(value.getClass())) {
            return failure;
        }
        Throwable parts = FastPathWriter.objectsFailure(value, serializer);
        return parts != null ? parts : failure;
    }

    /** The exception for {@code value}, whose serializer failed with {@code failure}. */
    private static IllegalArgumentException cannotEncode(Object value, String what, Throwable failure) {
        if (failure instanceof StackOverflowError) {
            return new IllegalArgumentException("cannot serialize " + what + " (a " + value.getClass().getName()
                    + "): its object graph is nested too deeply for the serializer, which ran out of stack (a linked"
                    + " chain of many thousands of objects: JDK serialization recurses once per object). Flatten it (an"
                    + " array or list instead of the chain), give the thread a larger stack (-Xss), or choose a Serializer"
                    + " that handles it (Context.Builder.serializer)", failure);
        }
        return notSerializable(value, what, failure);
    }

    /**
     * Decodes what {@link #encode} wrote, resolving classes with {@code loader}.
     *
     * @throws IOException if the bytes are not an encoded object (truncated, trailing bytes, a length
     *         larger than the message, an unknown tag, a lambda its capturing class does not declare), or the
     *         serializer fails, with an Error too (a readObject or a static initializer that throws one: the Error is
     *         the cause); only a {@link VirtualMachineError} other than a stack overflow escapes as itself
     * @throws ClassNotFoundException if a class the value names is not visible to {@code loader}
     */
    public Object decode(byte[] data, int offset, int length, ClassLoader loader) throws IOException, ClassNotFoundException {
        Objects.checkFromIndexSize(offset, length, data.length);
        if (length < 1) {
            throw new IOException("empty encoded object");
        }
        try {
            return switch (data[offset]) {
                case OBJECT -> serializer.fromBytes(data, offset + 1, length - 1, loader);
                case WITH_OBJECTS -> decodeWithObjects(data, offset + 1, length - 1, loader);
                default -> decodeTree(new WireInput(data, offset, length), null, loader);
            };
        } catch (EOFException e) {
            // NOTE: a message that ends inside its object (bytes sent with sendBytes, read by recv) is corrupt, not the
            // end of the stream: recv's EOFException means the peer is gone, and a reader stopping there lost the rest
            StreamCorruptedException corrupt = new StreamCorruptedException("encoded object truncated: " + e.getMessage());
            corrupt.initCause(e);
            throw corrupt;
        } catch (StackOverflowError e) {
            throw new IOException("cannot decode an object: it is nested too deeply for this thread's stack", e);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Error e) {
            // NOTE: a readObject (readResolve, a static initializer) that throws an Error in the receiving JVM escaped
            // a queue's get or a connection's recv as that bare Error, past their documented failures, and ended a
            // manager's serving thread (its caller then read ManagerUnavailableException from a running manager)
            throw new IOException("cannot decode an object: its deserialization threw " + describe(e), e);
        }
    }

    /**
     * As {@link #decode(byte[], int, int, ClassLoader)}, for a pool's chunks (of arguments in a worker, of
     * results in the pool's JVM): a mutable list of only {@code Integer}s or only {@code Long}s at the top
     * comes back as a {@link PackedList}, its numbers copied into one array and none boxed.
     *
     * @throws IOException as {@link #decode(byte[], int, int, ClassLoader)}
     * @throws ClassNotFoundException as {@link #decode(byte[], int, int, ClassLoader)}
     */
    public Object decodePacked(byte[] data, int offset, int length, ClassLoader loader) throws IOException, ClassNotFoundException {
        Objects.checkFromIndexSize(offset, length, data.length);
        if (length >= 2 && (data[offset] == INT_LIST || data[offset] == LONG_LIST) && data[offset + 1] == Containers.MUTABLE) {
            WireInput in = new WireInput(data, offset + 2, length - 2);
            Object list = data[offset] == INT_LIST ? PackedList.ofInts(in.readInts(in.readCount(4)))
                    : PackedList.ofLongs(in.readLongs(in.readCount(8)));
            in.expectEnd();
            return list;
        }
        return decode(data, offset, length, loader);
    }

    public Object decode(byte[] data, ClassLoader loader) throws IOException, ClassNotFoundException {
        return decode(data, 0, data.length, loader);
    }

    private Object decodeWithObjects(byte[] data, int offset, int length, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        WireInput header = new WireInput(data, offset, length);
        int treeLength = header.readCount(1);
        int treeStart = header.position();
        int objectsStart = treeStart + treeLength;
        Object objects = serializer.fromBytes(data, objectsStart, offset + length - objectsStart, loader);
        if (!(objects instanceof Object[] array)) {
            throw new IOException("serializer objects of an encoded tree are not an Object[] but "
                    + (objects == null ? "null" : objects.getClass().getName()));
        }
        return decodeTree(new WireInput(data, treeStart, treeLength), array, loader);
    }

    private static Object decodeTree(WireInput in, Object[] objects, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        Object value = new FastPathReader(in, objects, loader).read(0);
        in.expectEnd();
        return value;
    }

    /** A little-endian buffer of {@code prefix} and room for {@code size} more bytes, positioned after the prefix. */
    private static ByteBuffer after(byte[] prefix, int size) {
        return ByteBuffer.allocate(Math.addExact(prefix.length, size)).order(ByteOrder.LITTLE_ENDIAN).put(prefix);
    }

    /**
     * The exception for a value that cannot be encoded, naming the class that stopped it: the class the JDK's
     * {@link NotSerializableException} names; else the class whose {@code writeObject} (or
     * {@code writeExternal}, {@code writeReplace}) threw, found in the failure's stack; else the value's class.
     * The failure itself, with its message, is always quoted.
     */
    public static IllegalArgumentException notSerializable(Object value, String what, Throwable cause) {
        String advice = ". Make that class Serializable, do not capture it, or choose a Serializer that handles it"
                + " (Context.Builder.serializer)";
        if (cause instanceof NotSerializableException nse && nse.getMessage() != null && thrownByJdkSerialization(nse)) {
            // NOTE: the JDK's own NotSerializableException says nothing but the class it met
            return new IllegalArgumentException("cannot serialize " + what + ": it contains an instance of " + nse.getMessage()
                    + ", which the serializer cannot write (" + describe(cause) + ")" + advice, cause);
        }
        String writer = throwingWriter(cause);
        if (writer != null) {
            return new IllegalArgumentException("cannot serialize " + what + ": it contains an instance of " + writer
                    + ", whose " + writerMethod(cause) + " threw " + describe(cause), cause);
        }
        return new IllegalArgumentException("cannot serialize " + what + " (a " + value.getClass().getName()
                + "): the serializer failed with " + describe(cause) + advice, cause);
    }

    /**
     * {@code t.toString()}, or its class name when that throws: a user's exception (thrown by a writeObject) may
     * override getMessage with code that fails.
     */
    public static String describe(Throwable t) {
        try {
            return t.toString();
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            return t.getClass().getName() + " [its toString() threw " + e.getClass().getName() + "]";
        }
    }

    private static final Set<String> WRITERS = Set.of("writeObject", "writeExternal", "writeReplace");

    private static boolean thrownByJdkSerialization(Throwable e) {
        StackTraceElement[] stack = stackOf(e);
        return stack.length > 0 && stack[0].getClassName().startsWith("java.io.");
    }

    /** The class whose serialization method is the innermost frame of user code in {@code e}'s stack, or null. */
    private static String throwingWriter(Throwable e) {
        StackTraceElement frame = writerFrame(e);
        return frame == null ? null : frame.getClassName();
    }

    private static String writerMethod(Throwable e) {
        StackTraceElement frame = writerFrame(e);
        return frame == null ? "serialization" : frame.getMethodName();
    }

    private static StackTraceElement writerFrame(Throwable e) {
        for (StackTraceElement frame : stackOf(e)) {
            String type = frame.getClassName();
            if (WRITERS.contains(frame.getMethodName()) && !type.startsWith("java.") && !type.startsWith("javax.")
                    && !type.startsWith("jdk.") && !type.startsWith("sun.")
                    && !type.startsWith("org.multiprocessing4j.internal.wire.")) {
                return frame;
            }
        }
        return null;
    }

    /** {@code t.getStackTrace()}, or none when that (a user's override) throws. */
    private static StackTraceElement[] stackOf(Throwable t) {
        try {
            StackTraceElement[] stack = t.getStackTrace();
            return stack != null ? stack : new StackTraceElement[0];
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            return new StackTraceElement[0];
        }
    }
}
