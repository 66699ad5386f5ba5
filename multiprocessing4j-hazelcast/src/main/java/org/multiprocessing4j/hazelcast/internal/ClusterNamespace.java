package org.multiprocessing4j.hazelcast.internal;

import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.multiprocessing4j.Namespace;

/**
 * A cluster context's manager namespace: named attributes in a {@link ClusterDict} (so signed like its
 * values), each stored as a one-element list so that {@code null} values can be stored. Each call is one
 * or two cluster calls; {@link #asMap()} is a snapshot in name order. A serializable handle
 * ({@link StructureRef}). Thread-safe.
 */
public final class ClusterNamespace implements Namespace, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient ClusterDict<String, List<Object>> attributes;
    private final transient StructureRef ref;

    ClusterNamespace(ClusterDict<String, List<Object>> attributes, StructureRef ref) {
        this.attributes = attributes;
        this.ref = ref;
    }

    @Override
    public Object get(String name) {
        List<Object> boxed = attributes.get(name);
        if (boxed == null) {
            throw new NoSuchElementException("the namespace has no attribute " + name);
        }
        return boxed.get(0);
    }

    @Override
    public void set(String name, Object value) {
        List<Object> boxed = new ArrayList<>(1);
        boxed.add(value);
        attributes.put(name, boxed);
    }

    @Override
    public void delete(String name) {
        if (attributes.remove(name) == null) {
            throw new NoSuchElementException("the namespace has no attribute " + name);
        }
    }

    @Override
    public boolean contains(String name) {
        return attributes.containsKey(name);
    }

    @Override
    public Map<String, Object> asMap() {
        Map<String, Object> copy = new TreeMap<>();
        attributes.forEach((name, boxed) -> copy.put(name, boxed.get(0)));
        return Collections.unmodifiableMap(copy);
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        return ref;
    }

    @Override
    public String toString() {
        return "Namespace" + asMap();
    }
}
