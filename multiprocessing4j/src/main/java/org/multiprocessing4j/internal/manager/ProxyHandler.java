package org.multiprocessing4j.internal.manager;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongConsumer;
import java.util.stream.StreamSupport;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.ProcessExecutionException;

/**
 * The invocation handler behind every manager proxy: turns a call on the proxy's interface into a call on
 * the object in the manager, through a {@link Backend}. It serializes as its {@link ProxyHandle}, so a
 * proxy stored in another proxy, sent through a queue, or captured by a child stays a proxy of the same
 * object.
 *
 * <p>What runs where: every interface method runs in the manager, atomically as far as the object there
 * is (a {@code ConcurrentHashMap}'s {@code merge} with a serializable function is one atomic step). The
 * exceptions run in the caller, on the proxy's own methods: the default methods {@code forEach},
 * {@code stream}, {@code parallelStream} and {@code spliterator} (over a snapshot); a default method given an argument
 * that cannot be serialized (a plain lambda) runs its default body here when that is correct for a proxy
 * (ConcurrentMap's compute/merge family: retry loops over atomic {@code putIfAbsent}/{@code replace}),
 * and is refused otherwise. Iterators and collection views come back as read-only snapshots of the type the
 * method declares (a {@code headMap} is a {@code NavigableMap}); a collection's streams and spliterator read one
 * snapshot (a registered interface's own default {@code stream()} runs as written). {@code BlockingQueue.drainTo}
 * adds what the manager drained to the caller's collection; it refuses null and any proxy of the queue itself.
 * {@code equals}/{@code hashCode} are the object's own where the interface declares them (Map, List),
 * else they compare which object the proxies name. Thread-safe.
 */
final class ProxyHandler implements InvocationHandler, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** How calls reach the object. */
    interface Backend {
        /** Calls method {@code index} ({@link ManagerWire#TO_STRING} for toString) with {@code args}. */
        Object call(int index, Object[] args) throws Throwable;
    }

    private final ProxyHandle handle;
    private final transient Backend backend;
    private final transient MethodTable table;
    /** Told the object's id when this handler is serialized (its handle leaves the process); may be null. */
    private final transient LongConsumer escapes;

    ProxyHandler(ProxyHandle handle, Backend backend, MethodTable table) {
        this(handle, backend, table, null);
    }

    ProxyHandler(ProxyHandle handle, Backend backend, MethodTable table, LongConsumer escapes) {
        this.handle = handle;
        this.backend = backend;
        this.table = table;
        this.escapes = escapes;
    }

    /** The handler a decoded handle stands for in this process. */
    static ProxyHandler resolve(ProxyHandle handle) throws InvalidObjectException {
        try {
            ManagerCore core = ManagerCore.serving(handle.address());
            if (core != null) {
                return core.localHandler(handle);
            }
            return ManagerClient.of(handle.address(), handle.authkey()).handler(handle);
        } catch (RuntimeException e) {
            InvalidObjectException failure = new InvalidObjectException("cannot rebuild manager proxy " + handle + ": " + e);
            failure.initCause(e);
            throw failure;
        }
    }

    /** A proxy implementing the handle's interface that calls through {@code handler}. */
    static Object proxy(ProxyHandler handler) {
        Class<?> type = handler.table.type();
        ClassLoader loader = type.getClassLoader() != null ? type.getClassLoader() : ProxyHandler.class.getClassLoader();
        return Proxy.newProxyInstance(loader, new Class<?>[] {type}, handler);
    }

    /** The handle of {@code proxy} if it is a manager proxy, else null. */
    static ProxyHandle handleOf(Object proxy) {
        if (proxy != null && Proxy.isProxyClass(proxy.getClass())
                && Proxy.getInvocationHandler(proxy) instanceof ProxyHandler h) {
            return h.handle;
        }
        return null;
    }

    ProxyHandle handle() {
        return handle;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Object[] a = args == null ? new Object[0] : args;
        if (method.getDeclaringClass() == Object.class) {
            return objectMethod(proxy, method, a);
        }
        int index = table.indexOf(method);
        if (index < 0) {
            throw new UnsupportedOperationException(method + " is not a method of " + table.type().getName());
        }
        String name = method.getName();
        if (method.isDefault() && (name.equals("forEach") || name.equals("stream") || name.equals("parallelStream")
                || name.equals("spliterator"))) {
            // NOTE: only the JDK's bodies: a registered interface's own default stream() runs as written
            if (a.length == 0 && proxy instanceof Collection<?> c && method.getDeclaringClass().getName().startsWith("java.")) {
                return overSnapshot(c, name);
            }
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        if (name.equals("drainTo") && proxy instanceof BlockingQueue<?> && a.length >= 1
                && (a[0] == null || a[0] instanceof Collection<?>)) {
            // NOTE: a null is refused here: the manager would put its own list in its place and drain into that
            return drainTo(proxy, method, index, a, (Collection<?>) Objects.requireNonNull(a[0], "the collection to drain into"));
        }
        for (Object arg : a) {
            if (arg != null && !(arg instanceof Serializable) && ProxyHandler.handleOf(arg) == null) {
                if (method.isDefault() && runsLocallyWhenNotSerializable(method)) {
                    return InvocationHandler.invokeDefault(proxy, method, args);
                }
                throw new IllegalArgumentException(arg.getClass().getName() + " given to " + table.type().getSimpleName()
                        + "." + name + " on a manager proxy cannot be serialized; it would run in the manager: make it"
                        + " serializable (e.g. a Serializable... functional type, or an intersection cast"
                        + " (Function<A, B> & Serializable))");
            }
        }
        if (a.length == 1 && a[0] instanceof Object[] given && isToArrayOfArray(method)) {
            // NOTE: the array travels as a copy, so the manager fills that copy, never the caller's array. The
            // Collection contract returns the caller's array when the elements fit: send an empty one of the
            // same type (the manager makes one of the right size) and copy the elements in here.
            Object[] empty = (Object[]) java.lang.reflect.Array.newInstance(given.getClass().getComponentType(), 0);
            return intoArray((Object[]) call(method, index, new Object[] {empty}), given);
        }
        Object result = call(method, index, a);
        return adapt(method, result, a);
    }

    /**
     * {@code BlockingQueue.drainTo(into[, max])}: the manager drains into a list of its own, which comes back
     * (or, through a handler calling the object directly, is filled here), and its elements are added to {@code into}.
     *
     * <p>NOTE: {@code into} travelled as a copy, which the manager filled and dropped: the elements drained left
     * the queue and reached no one.
     */
    private Object drainTo(Object proxy, Method method, int index, Object[] a, Collection<?> into) throws Throwable {
        ProxyHandle intoHandle = handleOf(into);
        if (into == proxy || intoHandle != null && intoHandle.sameObject(handle)) {
            // NOTE: another proxy of the same queue too: the drained elements went back in through it
            throw new IllegalArgumentException("a queue cannot be drained into itself: " + handle);
        }
        List<Object> here = new ArrayList<>();
        Object[] passed = a.clone();
        passed[0] = here;
        Object result = call(method, index, passed);
        List<?> drained = result instanceof List<?> l ? l : here;
        @SuppressWarnings("unchecked")
        Collection<Object> target = (Collection<Object>) into;
        target.addAll(drained);
        return drained.size();
    }

    /**
     * {@code stream()}, {@code parallelStream()} or {@code spliterator()} of {@code proxy} over one snapshot of it.
     *
     * <p>NOTE: the interfaces' default bodies make a SIZED spliterator that calls {@code iterator()} and then
     * {@code size()}: two calls to the manager, between which another process may add or remove elements.
     * A stream then sized its array by one answer and filled it from the other: {@code stream().toList()}
     * threw {@code IllegalStateException: End size 13 is less than fixed size 18}.
     */
    private static Object overSnapshot(Collection<?> proxy, String name) {
        List<Object> elements = toList(proxy.iterator());
        Spliterator<Object> spliterator;
        Comparator<Object> order = proxy instanceof SortedSet<?> sorted ? comparatorOf(sorted) : null;
        if (order != null) {
            // NOTE: SortedSet's contract: SORTED and ORDERED, with the set's comparator (a sorted copy reports them)
            SortedSet<Object> copy = new TreeSet<>(order == NATURAL ? null : order);
            copy.addAll(elements);
            spliterator = copy.spliterator();
        } else {
            int characteristics = (proxy instanceof List || proxy instanceof SortedSet ? Spliterator.ORDERED : 0)
                    | (proxy instanceof Set ? Spliterator.DISTINCT : 0) | Spliterator.IMMUTABLE;
            spliterator = Spliterators.spliterator(elements.toArray(), characteristics);
        }
        return switch (name) {
            case "stream" -> StreamSupport.stream(spliterator, false);
            case "parallelStream" -> StreamSupport.stream(spliterator, true);
            default -> spliterator;
        };
    }

    /** Stands for a sorted set's natural order ({@code comparator()} is null). */
    private static final Comparator<Object> NATURAL = (x, y) -> 0;

    /**
     * {@code set}'s comparator, {@link #NATURAL} for natural order, or null if it cannot travel from the manager
     * (then the snapshot is reported ORDERED, not SORTED).
     */
    @SuppressWarnings("unchecked")
    private static Comparator<Object> comparatorOf(SortedSet<?> set) {
        try {
            Comparator<?> c = set.comparator();
            return c == null ? NATURAL : (Comparator<Object>) c;
        } catch (IllegalArgumentException cannotTravel) {
            return null;
        }
    }

    private static List<Object> toList(Iterator<?> it) {
        List<Object> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }

    private boolean isToArrayOfArray(Method method) {
        return method.getName().equals("toArray") && method.getParameterCount() == 1
                && method.getParameterTypes()[0] == Object[].class && Collection.class.isAssignableFrom(table.type());
    }

    /** {@code elements} in {@code given} if they fit (then {@code null} after the last one, as Collection.toArray says), else {@code elements}. */
    private static Object[] intoArray(Object[] elements, Object[] given) {
        if (elements.length > given.length) {
            return elements;
        }
        System.arraycopy(elements, 0, given, 0, elements.length);
        if (elements.length < given.length) {
            given[elements.length] = null;
        }
        return given;
    }

    /** Calls through the backend, turning what the proxy's method cannot throw into unchecked exceptions. */
    private Object call(Method method, int index, Object[] a) throws Throwable {
        try {
            return backend.call(index, a);
        } catch (InterruptedException e) {
            if (declares(method, InterruptedException.class)) {
                throw e;
            }
            throw interrupted("waiting for " + table.type().getSimpleName() + "." + method.getName() + " in the manager", e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable checked) {
            if (declares(method, checked.getClass())) {
                throw checked;
            }
            throw new ProcessExecutionException(table.type().getSimpleName() + "." + method.getName() + " threw " + checked
                    + " in the manager", checked);
        }
    }

    private static boolean declares(Method method, Class<?> exception) {
        for (Class<?> declared : method.getExceptionTypes()) {
            if (declared.isAssignableFrom(exception)) {
                return true;
            }
        }
        return false;
    }

    private Object objectMethod(Object proxy, Method method, Object[] a) throws Throwable {
        switch (method.getName()) {
            case "toString":
                return call(method, ManagerWire.TO_STRING, a);
            case "hashCode": {
                int declared = declaredIndex("hashCode");
                return declared >= 0 ? call(method, declared, a) : handle.hashCode();
            }
            case "equals": {
                Object other = a[0];
                ProxyHandle otherHandle = handleOf(other);
                if (otherHandle != null && otherHandle.sameObject(handle)) {
                    return true;
                }
                int declared = declaredIndex("equals");
                if (declared < 0 || other == null || !sameKind(other)) {
                    return false; // NOTE: as the Map, List and Set contracts say, without a call
                }
                try {
                    return call(method, declared, a);
                } catch (IllegalArgumentException cannotTravel) {
                    // NOTE: the other collection cannot be serialized (a keySet() view, a subList): compare here
                    if (proxy instanceof Map<?, ?> self && other instanceof Map<?, ?> m) {
                        return new HashMap<>(self).equals(m);
                    }
                    if (proxy instanceof List<?> self && other instanceof List<?> l) {
                        return new ArrayList<>(self).equals(l);
                    }
                    if (proxy instanceof Set<?> self && other instanceof Set<?> set) {
                        return new HashSet<>(self).equals(set);
                    }
                    // NOTE: an object that cannot travel is not the manager's object (nor a proxy of it); equals
                    // never throws (Object's contract): a queue proxy's equals(new Object()) threw this
                    return false;
                }
            }
            default:
                throw new UnsupportedOperationException(method.toString());
        }
    }

    /** False if {@code other} cannot equal this proxy's object by its interface's contract (a Map only equals a Map, ...). */
    private boolean sameKind(Object other) {
        Class<?> type = table.type();
        return !(Map.class.isAssignableFrom(type) && !(other instanceof Map)
                || List.class.isAssignableFrom(type) && !(other instanceof List)
                || Set.class.isAssignableFrom(type) && !(other instanceof Set));
    }

    /** The table index of {@code equals(Object)} / {@code hashCode()} if the interface redeclares it. */
    private int declaredIndex(String name) {
        try {
            Method m = name.equals("equals") ? table.type().getMethod("equals", Object.class) : table.type().getMethod(name);
            return m.getDeclaringClass() == Object.class ? -1 : table.indexOf(m);
        } catch (NoSuchMethodException e) {
            return -1;
        }
    }

    /**
     * ConcurrentMap's defaults are retry loops over the map's atomic operations, correct through a proxy; a
     * user interface's default methods call the proxy's other methods. Collection defaults use iterators,
     * which are snapshots here, so they must run in the manager; but {@code toArray(IntFunction)} only asks its
     * function for an empty array and passes that to {@code toArray(T[])}.
     */
    private static boolean runsLocallyWhenNotSerializable(Method method) {
        Class<?> declaring = method.getDeclaringClass();
        if (declaring == ConcurrentMap.class) {
            return true;
        }
        if (declaring == Collection.class && method.getName().equals("toArray")) {
            return true; // NOTE: toArray(IntFunction) only makes an empty array and calls toArray(T[]) with it
        }
        return !(declaring.getName().startsWith("java.") || declaring.getName().startsWith("javax."));
    }

    /** Snapshots arrive as lists where the method returns an iterator. */
    private static Object adapt(Method method, Object result, Object[] a) {
        Class<?> returns = method.getReturnType();
        if (result instanceof List<?> list && (returns == Iterator.class || returns == ListIterator.class)) {
            List<?> snapshot = Collections.unmodifiableList(list);
            if (returns == Iterator.class) {
                return snapshot.iterator();
            }
            boolean from = a.length == 1 && method.getName().equals("listIterator");
            return from ? snapshot.listIterator((Integer) a[0]) : snapshot.listIterator();
        }
        return result;
    }

    @Serial
    private Object writeReplace() {
        if (escapes != null) {
            escapes.accept(handle.id());
        }
        return handle;
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a manager proxy travels as its handle");
    }

    @Override
    public String toString() {
        return "ProxyHandler[" + handle + "]";
    }

    static ProcessError interrupted(String what, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new ProcessError("interrupted while " + what, e);
    }
}
