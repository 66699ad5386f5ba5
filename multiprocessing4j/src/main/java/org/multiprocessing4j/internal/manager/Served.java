package org.multiprocessing4j.internal.manager;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.AbstractMap.SimpleImmutableEntry;

/**
 * One object a manager serves: the object, the interface its proxies call it through, and which sessions
 * hold proxies of it. It keeps its id while a session holds it or while it is pinned (its handle left the
 * manager's JVM other than in a reply); see {@link ManagerCore} for the whole lifetime.
 */
final class Served {
    /** Methods whose results are live views: a remote caller gets a read-only copy instead. */
    private static final Set<String> VIEWS = Set.of("keySet", "values", "entrySet", "subList", "headMap", "tailMap",
            "subMap", "headSet", "tailSet", "subSet", "descendingMap", "descendingSet", "navigableKeySet",
            "descendingKeySet", "reversed", "sequencedKeySet", "sequencedValues", "sequencedEntrySet");

    final long id;
    final Object target;
    final MethodTable table;
    /** Sessions holding a proxy; guarded by the core's lock. */
    final Set<Long> sessions = new HashSet<>();
    /** Never released; guarded by the core's lock. */
    boolean pinned;

    Served(long id, Object target, MethodTable table, boolean pinned) {
        this.id = id;
        this.target = target;
        this.table = table;
        this.pinned = pinned;
    }

    /** Calls method {@code index} here, in the manager process, returning what it returns. */
    Object invokeLocal(int index, Object[] args) throws Throwable {
        if (index == ManagerWire.TO_STRING) {
            return String.valueOf(target);
        }
        Method method = table.method(index);
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad arguments for " + method + ": " + e.getMessage(), e);
        }
    }

    /**
     * Calls method {@code index} for another process: as {@link #invokeLocal}, except that iterators
     * become a snapshot list of the whole collection and live views become read-only copies.
     */
    Object invokeRemote(int index, Object[] args) throws Throwable {
        if (index == ManagerWire.TO_STRING) {
            return String.valueOf(target);
        }
        Method method = table.method(index);
        String name = method.getName();
        if ((name.equals("iterator") || name.equals("listIterator")) && target instanceof Collection<?> c) {
            return snapshotList(c);
        }
        Object result = invokeLocal(index, args);
        if (VIEWS.contains(name) && result != target) {
            return copy(result);
        }
        return result;
    }

    private static List<Object> snapshotList(Collection<?> c) {
        // NOTE: ArrayList's constructor reads through toArray(), which a synchronized wrapper guards.
        return Collections.unmodifiableList(new ArrayList<>(c));
    }

    private static Object copy(Object view) {
        return switch (view) {
            case Map<?, ?> m -> Collections.unmodifiableMap(new LinkedHashMap<>(m));
            case Set<?> s -> {
                Set<Object> copy = new LinkedHashSet<>();
                for (Object o : s.toArray()) {
                    copy.add(o instanceof Map.Entry<?, ?> e ? new SimpleImmutableEntry<>(e.getKey(), e.getValue()) : o);
                }
                yield Collections.unmodifiableSet(copy);
            }
            case Collection<?> c -> snapshotList(c);
            case null, default -> view;
        };
    }
}
