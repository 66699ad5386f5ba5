package org.multiprocessing4j.internal.manager;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;

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

    /**
     * Methods that only read a collection or map argument (its elements are used, never the argument itself):
     * a proxy of another served object given to one is copied first (see {@link #detached}).
     */
    private static final Set<String> READS_ARGUMENT = Set.of("addAll", "removeAll", "retainAll", "containsAll", "putAll", "equals");

    /**
     * Collection and map methods that only compare their arguments (a lookup key, an element sought): a
     * proxy given there is copied first too, for the same reason (see {@link #detached}). Only the first
     * argument, except for {@code remove(key, value)}: {@code getOrDefault}'s default is returned as it is.
     */
    private static final Set<String> COMPARES_FIRST_ARGUMENT = Set.of("contains", "indexOf", "lastIndexOf", "remove",
            "containsKey", "containsValue", "get", "getOrDefault");

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

    /**
     * The objects whose {@code toString} runs on this thread now (see {@link #describe}); identity keys.
     */
    private static final ThreadLocal<Set<Object>> DESCRIBING = ThreadLocal.withInitial(
            () -> Collections.newSetFromMap(new IdentityHashMap<>()));

    /** Calls method {@code index} here, in the manager process, returning what it returns. */
    Object invokeLocal(int index, Object[] args) throws Throwable {
        if (index == ManagerWire.TO_STRING) {
            return describe();
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
     * {@code target}'s {@code toString}, or, when it is already being described on this thread (it holds a
     * proxy of itself, directly or through other served objects), {@code (this Map)} or {@code (this
     * Collection)} as {@code AbstractMap} and {@code AbstractCollection} write an object that holds itself.
     *
     * <p>Implementation note: a stored proxy is not the object itself, so those classes' identity check
     * missed it and each {@code toString} called the next through the proxy until the stack overflowed
     * (a {@code StackOverflowError} in the caller; CPython prints {@code {...}}).
     */
    private String describe() {
        Set<Object> describing = DESCRIBING.get();
        if (!describing.add(target)) {
            return target instanceof Map<?, ?> ? "(this Map)" : target instanceof Collection<?> ? "(this Collection)" : "(...)";
        }
        try {
            return String.valueOf(target);
        } finally {
            describing.remove(target);
        }
    }

    /**
     * Calls method {@code index} for another process: as {@link #invokeLocal}, except that iterators
     * become a snapshot list of the whole collection, live views become read-only copies ({@link ViewCopies}),
     * and {@code BlockingQueue.drainTo} returns the list of what it drained.
     */
    Object invokeRemote(int index, Object[] args) throws Throwable {
        if (index == ManagerWire.TO_STRING) {
            return describe();
        }
        Method method = table.method(index);
        String name = method.getName();
        if ((name.equals("iterator") || name.equals("listIterator")) && target instanceof Collection<?> c) {
            return ViewCopies.snapshot(c);
        }
        if (name.equals("drainTo") && target instanceof BlockingQueue<?> && args != null && args.length >= 1 && args[0] != null) {
            // NOTE: the caller's collection cannot be filled from here: the drained elements go back in the reply
            // (ProxyHandler adds them to it); the int drainTo returns is their number
            List<Object> drained = new ArrayList<>();
            Object[] passed = args.clone();
            passed[0] = drained;
            invokeLocal(index, passed);
            return drained;
        }
        Object[] passed = args;
        if (READS_ARGUMENT.contains(name)) {
            passed = detached(args, args == null ? 0 : args.length);
        } else if (COMPARES_FIRST_ARGUMENT.contains(name) && isCollectionOrMapMethod(method)) {
            passed = detached(args, name.equals("remove") && args != null ? args.length : 1);
        }
        Object result = invokeLocal(index, passed);
        boolean view = VIEWS.contains(name)
                || result instanceof Iterator<?> && (target instanceof Collection<?> || target instanceof Map<?, ?>);
        if (view && result != target) {
            // NOTE: of the declared return type: a NavigableMap's headMap copied to a plain map made the proxy throw
            // ClassCastException; a descendingIterator() could not be sent at all
            return ViewCopies.copy(result, method.getReturnType());
        }
        return result;
    }

    /**
     * {@code args} with each proxy of a collection or map (one this manager serves, decoded here as a direct
     * handler) replaced by a copy taken now. A built-in list or dict holds its lock for the whole call, and
     * reading the other object through its proxy takes that one's lock inside: {@code a.addAll(b)} and
     * {@code b.addAll(a)} from two clients at once deadlocked the manager (both calls hung for ever). The
     * copy takes the other lock alone, before; CPython's manager, which unpickles the real object there, reads
     * it under the GIL alike. The lookups ({@code a.contains(b)}, {@code indexOf}, {@code remove(Object)},
     * {@code containsKey}, {@code get} ...) deadlocked alike: {@code a.contains(b)} and {@code b.contains(a)}
     * at once, each list holding a list, hung both calls (the element's {@code equals} or {@code hashCode}
     * was a call on the other object, made while holding this one's lock).
     *
     * <p>NOTE: a lock is still taken inside another where a proxy is stored in the object itself (a list of
     * list proxies): the stored proxy's methods run under the outer lock. Only cycles of such nesting can
     * deadlock, as any two objects that each hold the other.
     */
    private static Object[] detached(Object[] args, int first) {
        Object[] copy = args;
        for (int i = 0; args != null && i < Math.min(first, args.length); i++) {
            Object a = args[i];
            if (ProxyHandler.handleOf(a) == null) {
                continue;
            }
            Object snapshot = switch (a) {
                case Set<?> s -> new LinkedHashSet<>(Arrays.asList(s.toArray()));
                case Collection<?> c -> new ArrayList<>(Arrays.asList(c.toArray()));
                case Map<?, ?> m -> new LinkedHashMap<>(m);
                default -> a;
            };
            if (snapshot != a) {
                if (copy == args) {
                    copy = args.clone();
                }
                copy[i] = snapshot;
            }
        }
        return copy;
    }

    private static boolean isCollectionOrMapMethod(Method method) {
        Class<?> declaring = method.getDeclaringClass();
        return Collection.class.isAssignableFrom(declaring) || Map.class.isAssignableFrom(declaring);
    }
}
