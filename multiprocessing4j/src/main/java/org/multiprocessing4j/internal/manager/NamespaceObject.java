package org.multiprocessing4j.internal.manager;

import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.multiprocessing4j.Namespace;

/** The object behind a manager's {@link Namespace} proxies: attributes in a map, each call atomic. */
final class NamespaceObject implements Namespace {
    private final Map<String, Object> attributes = new TreeMap<>();

    @Override
    public synchronized Object get(String name) {
        if (!attributes.containsKey(checked(name))) {
            throw new NoSuchElementException("the namespace has no attribute '" + name + "'");
        }
        return attributes.get(name);
    }

    @Override
    public synchronized void set(String name, Object value) {
        attributes.put(checked(name), value);
    }

    @Override
    public synchronized void delete(String name) {
        if (!attributes.containsKey(checked(name))) {
            throw new NoSuchElementException("the namespace has no attribute '" + name + "'");
        }
        attributes.remove(name);
    }

    @Override
    public synchronized boolean contains(String name) {
        return attributes.containsKey(checked(name));
    }

    private static String checked(String name) {
        if (name == null) {
            throw new NullPointerException("name is null: a namespace attribute's name cannot be null");
        }
        return name;
    }

    @Override
    public synchronized Map<String, Object> asMap() {
        return new TreeMap<>(attributes);
    }

    @Override
    public synchronized String toString() {
        StringBuilder s = new StringBuilder("Namespace(");
        attributes.forEach((k, v) -> s.append(s.length() > 10 ? ", " : "").append(k).append('=').append(v));
        return s.append(')').toString();
    }
}
