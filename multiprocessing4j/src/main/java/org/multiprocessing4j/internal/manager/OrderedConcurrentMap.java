package org.multiprocessing4j.internal.manager;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.multiprocessing4j.internal.remote.CopiedValues;
import org.multiprocessing4j.internal.wire.ObjectCodec;

/**
 * What a manager's {@code dict()} is in the manager: a {@link ConcurrentMap} that keeps insertion order, as a
 * Python dict (and CPython's {@code DictProxy}) does, where a {@code ConcurrentHashMap} iterated in hash order.
 * Every method holds this map's monitor for its whole run, so each is atomic, {@code compute} and
 * {@code merge} included; the manager's round trip costs far more than that lock. Views
 * ({@link #keySet()}, {@link #values()}, {@link #entrySet()}) are read-only snapshots, as a proxy's are.
 * No null keys or values (a {@code ConcurrentMap}'s rule): each is refused with a
 * {@link NullPointerException} saying which. {@code replace(k, old, new)} and {@code remove(k, v)} match a
 * value whose class compares by identity (an array, a class keeping Object's {@code equals}) by its
 * serialized form, since a caller only ever has a copy (see {@link #matches}). A function passed to
 * {@code compute} and the like must not use this map. Thread-safe.
 */
final class OrderedConcurrentMap<K, V> implements ConcurrentMap<K, V> {
    private static final ObjectCodec CODEC = ManagerWire.codec();

    private final LinkedHashMap<K, V> map = new LinkedHashMap<>();

    OrderedConcurrentMap() {
    }

    OrderedConcurrentMap(Map<? extends K, ? extends V> initial) {
        putAll(initial);
    }

    private static <T> T key(T key) {
        if (key == null) {
            throw new NullPointerException("the key is null: a manager's dict holds no null keys or values");
        }
        return key;
    }

    private static <T> T value(Object key, T value) {
        if (value == null) {
            throw new NullPointerException("the value for key " + key + " is null: a manager's dict holds no null keys or values");
        }
        return value;
    }

    @Override
    public synchronized int size() {
        return map.size();
    }

    @Override
    public synchronized boolean isEmpty() {
        return map.isEmpty();
    }

    @Override
    public synchronized boolean containsKey(Object key) {
        return map.containsKey(key(key));
    }

    @Override
    public synchronized boolean containsValue(Object value) {
        return map.containsValue(value("(any)", value));
    }

    @Override
    public synchronized V get(Object key) {
        return map.get(key(key));
    }

    @Override
    public synchronized V getOrDefault(Object key, V defaultValue) {
        V v = map.get(key(key));
        return v != null ? v : defaultValue;
    }

    @Override
    public synchronized V put(K key, V value) {
        return map.put(key, value(key(key), value));
    }

    @Override
    public synchronized V remove(Object key) {
        return map.remove(key(key));
    }

    @Override
    public synchronized void putAll(Map<? extends K, ? extends V> m) {
        for (Map.Entry<? extends K, ? extends V> e : m.entrySet()) {
            value(key(e.getKey()), e.getValue());
        }
        map.putAll(m);
    }

    @Override
    public synchronized void clear() {
        map.clear();
    }

    @Override
    public synchronized Set<K> keySet() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(map.keySet()));
    }

    @Override
    public synchronized Collection<V> values() {
        return Collections.unmodifiableList(new ArrayList<>(map.values()));
    }

    @Override
    public synchronized Set<Map.Entry<K, V>> entrySet() {
        Set<Map.Entry<K, V>> entries = new LinkedHashSet<>();
        for (Map.Entry<K, V> e : map.entrySet()) {
            entries.add(new SimpleImmutableEntry<>(e.getKey(), e.getValue()));
        }
        return Collections.unmodifiableSet(entries);
    }

    @Override
    public synchronized V putIfAbsent(K key, V value) {
        return map.putIfAbsent(key, value(key(key), value));
    }

    @Override
    public synchronized boolean remove(Object key, Object value) {
        if (value == null) {
            return false;
        }
        if (!matches(map.get(key(key)), value)) {
            return false;
        }
        map.remove(key);
        return true;
    }

    @Override
    public synchronized boolean replace(K key, V oldValue, V newValue) {
        value(key(key), oldValue);
        value(key, newValue);
        if (!matches(map.get(key), oldValue)) {
            return false;
        }
        map.put(key, newValue); // NOTE: an existing key keeps its place in the insertion order
        return true;
    }

    /** Whether {@code current} (the stored value, or null) is {@code given}: see {@link CopiedValues}. */
    private static boolean matches(Object current, Object given) {
        return CopiedValues.match(current, given, v -> CODEC.encode(v, "a dict value"));
    }

    @Override
    public synchronized V replace(K key, V value) {
        return map.replace(key, value(key(key), value));
    }

    @Override
    public synchronized V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        return map.computeIfAbsent(key(key), mappingFunction);
    }

    @Override
    public synchronized V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        return map.computeIfPresent(key(key), remappingFunction);
    }

    @Override
    public synchronized V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        return map.compute(key(key), remappingFunction);
    }

    @Override
    public synchronized V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        return map.merge(key(key), value(key, value), remappingFunction);
    }

    @Override
    public synchronized void forEach(BiConsumer<? super K, ? super V> action) {
        map.forEach(action);
    }

    @Override
    public synchronized void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        map.replaceAll((k, v) -> value(k, function.apply(k, v)));
    }

    @Override
    public synchronized boolean equals(Object other) {
        return other == this || map.equals(other);
    }

    @Override
    public synchronized int hashCode() {
        return map.hashCode();
    }

    @Override
    public synchronized String toString() {
        return map.toString();
    }
}
