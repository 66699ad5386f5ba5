package org.multiprocessing4j.internal.wire;

import java.io.IOException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;

/**
 * Which JDK {@link List} and {@link Map.Entry} classes (and {@code Object[]}) {@link ObjectCodec}'s fast path carries, and what
 * each becomes on the receiving side. Only these exact classes qualify (a subclass of {@code ArrayList}
 * may add fields, so it goes to the serializer):
 *
 * <table>
 *   <caption>Lists and entries on the fast path</caption>
 *   <tr><th>sent</th><th>kind</th><th>received as</th></tr>
 *   <tr><td>{@code ArrayList}, {@code Arrays.asList}, {@code ArrayList.subList}, {@link PackedList}</td><td>{@link #MUTABLE}</td>
 *       <td>{@code ArrayList}</td></tr>
 *   <tr><td>{@code List.of}, {@code List.copyOf}, {@code Stream.toList}, their {@code subList},
 *       {@code Collections.emptyList}/{@code singletonList}/{@code unmodifiableList}</td>
 *       <td>{@link #UNMODIFIABLE}</td><td>{@code Collections.unmodifiableList} over an {@code ArrayList}
 *       (nulls allowed; {@code equals}/{@code hashCode} as the original)</td></tr>
 *   <tr><td>{@code Object[]} (exactly that class)</td><td>{@link #OBJECT_ARRAY}</td><td>{@code Object[]}</td></tr>
 *   <tr><td>{@code AbstractMap.SimpleEntry}</td><td>{@link #SIMPLE_ENTRY}</td><td>the same class</td></tr>
 *   <tr><td>{@code AbstractMap.SimpleImmutableEntry}</td><td>{@link #IMMUTABLE_ENTRY}</td><td>the same class</td></tr>
 *   <tr><td>{@code Map.entry(k, v)} (not {@code Serializable}: the fast path is its only way across)</td>
 *       <td>{@link #MAP_ENTRY}</td><td>{@code Map.entry(k, v)}</td></tr>
 * </table>
 * Thread-safe: constants only.
 */
final class Containers {
    static final int NOT_CARRIED = -1;
    static final int MUTABLE = 0;
    static final int UNMODIFIABLE = 1;
    /** Not a list: an {@code Object[]} (exactly; a {@code String[]} goes to the serializer, which keeps its type). */
    static final int OBJECT_ARRAY = 2;

    static final int SIMPLE_ENTRY = 0;
    static final int IMMUTABLE_ENTRY = 1;
    static final int MAP_ENTRY = 2;

    private static final Class<?> ARRAYS_AS_LIST = Arrays.asList().getClass();
    private static final Class<?> ARRAY_LIST_SUB_LIST = new ArrayList<>().subList(0, 0).getClass();
    private static final Class<?> LIST_12 = List.of(1).getClass();
    private static final Class<?> LIST_N = List.of(1, 2, 3).getClass();
    private static final Class<?> IMMUTABLE_SUB_LIST = List.of(1, 2, 3).subList(0, 1).getClass();
    private static final Class<?> EMPTY_LIST = Collections.emptyList().getClass();
    private static final Class<?> SINGLETON_LIST = Collections.singletonList(1).getClass();
    private static final Class<?> UNMODIFIABLE_RANDOM_ACCESS = Collections.unmodifiableList(new ArrayList<>()).getClass();
    private static final Class<?> UNMODIFIABLE_SEQUENTIAL = Collections.unmodifiableList(new LinkedList<>()).getClass();
    private static final Class<?> KEY_VALUE_HOLDER = Map.entry(1, 1).getClass();

    private Containers() {
    }

    /** {@link #MUTABLE}, {@link #UNMODIFIABLE}, {@link #OBJECT_ARRAY}, or {@link #NOT_CARRIED} for any other class. */
    static int listKind(Class<?> c) {
        if (c == Object[].class) {
            return OBJECT_ARRAY;
        }
        if (c == ArrayList.class || c == ARRAYS_AS_LIST || c == ARRAY_LIST_SUB_LIST || c == PackedList.class) {
            return MUTABLE;
        }
        if (c == LIST_N || c == LIST_12 || c == IMMUTABLE_SUB_LIST || c == EMPTY_LIST || c == SINGLETON_LIST
                || c == UNMODIFIABLE_RANDOM_ACCESS || c == UNMODIFIABLE_SEQUENTIAL) {
            return UNMODIFIABLE;
        }
        return NOT_CARRIED;
    }

    /**
     * True for lists whose contents and identity cannot matter to anyone else: the JDK's immutable lists.
     * Every other carried list may be mutated (or view something mutable) and is tracked by identity.
     */
    static boolean immutableList(Class<?> c) {
        return c == LIST_N || c == LIST_12 || c == IMMUTABLE_SUB_LIST || c == EMPTY_LIST || c == SINGLETON_LIST;
    }

    /** {@link #SIMPLE_ENTRY}, {@link #IMMUTABLE_ENTRY}, {@link #MAP_ENTRY}, or {@link #NOT_CARRIED}. */
    static int entryKind(Class<?> c) {
        if (c == KEY_VALUE_HOLDER) {
            return MAP_ENTRY;
        }
        if (c == AbstractMap.SimpleImmutableEntry.class) {
            return IMMUTABLE_ENTRY;
        }
        return c == AbstractMap.SimpleEntry.class ? SIMPLE_ENTRY : NOT_CARRIED;
    }

    /** Fails unless {@code kind} is a list kind or {@link #OBJECT_ARRAY}. */
    static int checkListKind(int kind) throws IOException {
        if (kind != MUTABLE && kind != UNMODIFIABLE && kind != OBJECT_ARRAY) {
            throw new IOException("unknown list kind " + kind);
        }
        return kind;
    }

    /** The received form of a list of {@code kind} ({@link #MUTABLE} or {@link #UNMODIFIABLE}) holding {@code items}. */
    static List<Object> list(int kind, ArrayList<Object> items) {
        return kind == UNMODIFIABLE ? Collections.unmodifiableList(items) : items;
    }

    /** The received form of an entry of {@code kind}. */
    static Map.Entry<Object, Object> entry(int kind, Object key, Object value) throws IOException {
        return switch (kind) {
            case SIMPLE_ENTRY -> new AbstractMap.SimpleEntry<>(key, value);
            case IMMUTABLE_ENTRY -> new AbstractMap.SimpleImmutableEntry<>(key, value);
            case MAP_ENTRY -> {
                if (key == null || value == null) {
                    throw new IOException("a Map.entry cannot hold null");
                }
                yield Map.entry(key, value);
            }
            default -> throw new IOException("unknown entry kind " + kind);
        };
    }
}
