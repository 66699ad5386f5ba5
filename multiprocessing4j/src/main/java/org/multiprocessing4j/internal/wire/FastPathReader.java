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

import java.io.IOException;
import java.util.ArrayList;

/**
 * Reads one value in {@link ObjectCodec}'s tree format (everything but the top-level-only tags
 * {@code OBJECT} and {@code WITH_OBJECTS}), the inverse of {@link FastPathWriter}. Every count is checked
 * against the bytes present before anything is allocated for it, nesting is bounded by
 * {@link FastPathWriter#MAX_DEPTH}, and a reference to a serializer object must name one that the message
 * carries. Not thread-safe: one instance per call.
 */
final class FastPathReader {
    private final WireInput in;
    private final Object[] objects;
    private final ClassLoader loader;

    /** {@code objects}: the message's serializer objects, or {@code null} if it carries none. */
    FastPathReader(WireInput in, Object[] objects, ClassLoader loader) {
        this.in = in;
        this.objects = objects;
        this.loader = loader;
    }

    Object read(int depth) throws IOException, ClassNotFoundException {
        byte tag = in.readByte();
        return switch (tag) {
            case NULL -> null;
            case INT -> in.readInt();
            case LONG -> in.readLong();
            case DOUBLE -> Double.longBitsToDouble(in.readLong());
            case BOOLEAN -> in.readByte() != 0;
            case BYTE -> in.readByte();
            case SHORT -> (short) ((in.readByte() & 0xff) | in.readByte() << 8);
            case CHAR -> (char) ((in.readByte() & 0xff) | (in.readByte() & 0xff) << 8);
            case FLOAT -> Float.intBitsToFloat(in.readInt());
            case STRING -> in.readUtf8(in.readCount(1));
            case STRING16 -> in.readUtf16(in.readCount(2));
            case BYTES -> in.readBytes(in.readCount(1));
            case INTS -> in.readInts(in.readCount(4));
            case LONGS -> in.readLongs(in.readCount(8));
            case DOUBLES -> in.readDoubles(in.readCount(8));
            case LIST, INT_LIST, LONG_LIST -> readList(tag, depth);
            case ENTRY -> {
                checkDepth(depth);
                int kind = in.readByte();
                Object key = read(depth + 1);
                yield Containers.entry(kind, key, read(depth + 1));
            }
            case LAMBDA -> readLambda(depth);
            case REF -> {
                int index = in.readInt();
                if (objects == null || index < 0 || index >= objects.length) {
                    throw new IOException("reference to serializer object " + index + " of "
                            + (objects == null ? 0 : objects.length));
                }
                yield objects[index];
            }
            default -> throw new IOException("unknown object tag " + tag);
        };
    }

    private Object readList(byte tag, int depth) throws IOException, ClassNotFoundException {
        checkDepth(depth);
        int kind = Containers.checkListKind(in.readByte());
        int n = in.readCount(switch (tag) {
            case INT_LIST -> 4;
            case LONG_LIST -> 8;
            default -> 1;
        });
        Object[] array = kind == Containers.OBJECT_ARRAY ? new Object[n] : null;
        ArrayList<Object> list = array == null ? new ArrayList<>(n) : null;
        for (int i = 0; i < n; i++) {
            Object item = switch (tag) {
                case INT_LIST -> in.readInt();
                case LONG_LIST -> in.readLong();
                default -> read(depth + 1);
            };
            if (array != null) {
                array[i] = item;
            } else {
                list.add(item);
            }
        }
        return array != null ? array : Containers.list(kind, list);
    }

    private Object readLambda(int depth) throws IOException, ClassNotFoundException {
        checkDepth(depth);
        int shapeLength = in.readCount(1);
        if (shapeLength > LambdaShape.MAX_SHAPE_BYTES) {
            throw new IOException("lambda shape of " + shapeLength + " bytes exceeds " + LambdaShape.MAX_SHAPE_BYTES);
        }
        int shapeStart = in.position();
        in.skip(shapeLength);
        LambdaFactory.Form form = LambdaFactory.form(in.data, shapeStart, shapeLength);
        Object[] args = new Object[in.readByte() & 0xff];
        for (int i = 0; i < args.length; i++) {
            args[i] = read(depth + 1);
        }
        return LambdaFactory.create(form, args, loader);
    }

    private static void checkDepth(int depth) throws IOException {
        if (depth >= FastPathWriter.MAX_DEPTH) {
            throw new IOException("encoded object nests deeper than " + FastPathWriter.MAX_DEPTH);
        }
    }
}
