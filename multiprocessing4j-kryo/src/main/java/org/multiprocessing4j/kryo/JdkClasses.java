package org.multiprocessing4j.kryo;

import java.util.Set;

/**
 * Which classes count as the JDK's for {@link Mp4jKryo}'s choices, decided by package name alone so that
 * every JVM of a program makes the same choice (and so writes the same format) whatever its
 * {@code --add-opens} flags. Stateless.
 */
final class JdkClasses {

    /** Package prefixes of the platform's own classes; their internals are closed to Kryo on JDK 16+. */
    private static final String[] JDK_PREFIXES = {"java.", "javax.", "jdk.", "sun.", "com.sun."};

    /**
     * The JDK's public collections and maps that are fully described by their items (no capacity,
     * comparator, access order or defaults to lose) and have a public no-argument constructor: Kryo
     * rebuilds these by creating an empty one and adding the items, so the items need not be
     * {@code Serializable}. Other {@code Serializable} JDK collections go by JDK serialization.
     */
    private static final Set<Class<?>> REBUILT_FROM_ITEMS = Set.of(
            java.util.ArrayList.class, java.util.LinkedList.class, java.util.ArrayDeque.class,
            java.util.Vector.class, java.util.Stack.class,
            java.util.HashSet.class, java.util.LinkedHashSet.class,
            java.util.HashMap.class, java.util.LinkedHashMap.class, java.util.Hashtable.class,
            java.util.IdentityHashMap.class,
            java.util.concurrent.CopyOnWriteArrayList.class, java.util.concurrent.CopyOnWriteArraySet.class,
            java.util.concurrent.ConcurrentHashMap.class, java.util.concurrent.ConcurrentLinkedQueue.class,
            java.util.concurrent.ConcurrentLinkedDeque.class);

    private JdkClasses() {
    }

    /** Whether {@code type} itself is a platform class (by its package name). */
    static boolean isJdk(Class<?> type) {
        String name = type.getName();
        for (String prefix : JDK_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code type} or one of its superclasses other than {@code Object}, {@code Record} and
     * {@code Enum} is a platform class: then Kryo cannot read or set all of its fields.
     */
    static boolean hasJdkPart(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class && c != Record.class && c != Enum.class; c = c.getSuperclass()) {
            if (isJdk(c)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code type} is one of the JDK collections Kryo may rebuild from their items. */
    static boolean rebuiltFromItems(Class<?> type) {
        return REBUILT_FROM_ITEMS.contains(type);
    }
}
