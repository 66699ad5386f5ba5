package org.multiprocessing4j.internal.manager;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The methods a proxy type exposes, in a fixed order that both ends compute alike from the same interface:
 * a call travels as the method's index in this table. Only the interface's own public abstract or default
 * instance methods (inherited ones included) are in it, so nothing outside the interface can be called
 * through a proxy, whatever the object behind it implements. Thread-safe; tables are cached per interface.
 */
final class MethodTable {
    private static final Map<Class<?>, MethodTable> CACHE = new ConcurrentHashMap<>();

    private final Class<?> type;
    private final Method[] methods;
    private final Map<Method, Integer> indexes = new HashMap<>();

    private MethodTable(Class<?> type) {
        this.type = type;
        this.methods = Arrays.stream(type.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .sorted(Comparator.comparing(MethodTable::signature))
                .toArray(Method[]::new);
        for (int i = 0; i < methods.length; i++) {
            indexes.put(methods[i], i);
            // NOTE: a non-public interface (say a test's nested one) needs this for Method.invoke.
            methods[i].trySetAccessible();
        }
    }

    /** The table of {@code type}, which must be an interface. */
    static MethodTable of(Class<?> type) {
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is not an interface: a manager proxy implements an interface");
        }
        return CACHE.computeIfAbsent(type, MethodTable::new);
    }

    Class<?> type() {
        return type;
    }

    /** The index of {@code method}, or -1 if it is not a method of the interface (e.g. one of {@code Object}'s). */
    int indexOf(Method method) {
        Integer i = indexes.get(method);
        if (i != null) {
            return i;
        }
        // A method inherited from a super-interface may be looked up through another declaring class.
        for (int k = 0; k < methods.length; k++) {
            Method m = methods[k];
            if (m.getName().equals(method.getName()) && Arrays.equals(m.getParameterTypes(), method.getParameterTypes())) {
                return k;
            }
        }
        return -1;
    }

    /**
     * The method at {@code index}.
     *
     * @throws IllegalArgumentException if there is none: a peer asked for something outside the interface
     */
    Method method(int index) {
        if (index < 0 || index >= methods.length) {
            throw new IllegalArgumentException("no method #" + index + " in " + type.getName());
        }
        return methods[index];
    }

    private static String signature(Method m) {
        StringBuilder s = new StringBuilder(m.getName()).append('(');
        for (Class<?> p : m.getParameterTypes()) {
            s.append(p.getName()).append(';');
        }
        return s.append(')').append(m.getReturnType().getName()).append(' ').append(m.getDeclaringClass().getName()).toString();
    }
}
