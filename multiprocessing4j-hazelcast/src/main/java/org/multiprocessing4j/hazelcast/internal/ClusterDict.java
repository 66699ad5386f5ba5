package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.multiprocessing4j.internal.remote.CopiedValues;

/**
 * A {@link ConcurrentMap} on a Hazelcast {@code IMap<byte[], byte[]>}, shared by every JVM of the cluster
 * that names it (a manager's {@code dict()} across machines). A key is stored as its encoding, so keys
 * must encode the same way whenever they are equal (strings, numbers, enums, records of those; not a
 * {@code HashSet}). A value is encoded and signed for its dict and key ({@link Payloads}): one written
 * without the authkey, or copied from another key, raises {@link SecurityException} when read, undecoded;
 * so does a key or value that is not a {@code byte[]} at all (an object put into the Hazelcast map by someone
 * without the authkey, which Hazelcast's filter refuses to deserialize: {@link ClusterConfigs}), logged.
 * Atomic operations ({@code putIfAbsent}, {@code replace}, conditional {@code remove}, {@code merge},
 * {@code compute}, {@code computeIfPresent}, {@code computeIfAbsent}) compare values with {@code equals},
 * as a {@link ConcurrentMap} must (encodings are not canonical: JDK serialization writes a {@code HashMap}'s
 * bucket count, so equal values can encode differently); {@code replace(k, old, new)} and
 * {@code remove(k, v)} match a value whose class compares by identity (an array, a class keeping Object's
 * {@code equals}) by its encoding instead, as a manager's dict does, since a caller only holds copies. Iteration is over a snapshot. No null keys or
 * values. A serializable handle ({@link StructureRef}). Thread-safe.
 *
 * <p>Implementation note: a conditional update reads the stored (signed) frame, decodes it and compares the
 * value with {@code equals} here, then does Hazelcast's compare-and-set ({@code replace(k, frame, new)},
 * {@code remove(k, frame)}) on that very frame: it fails only if the entry changed in between (then it
 * reads again), never because of how a value encodes. The functions of {@code merge} and the
 * {@code compute}s may so run more than once, as {@link ConcurrentMap}'s defaults do.
 */
public final class ClusterDict<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V>, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private final transient IMap<byte[], byte[]> map;
    private final transient Payloads payloads;
    private final transient StructureRef ref;

    ClusterDict(IMap<byte[], byte[]> map, Payloads payloads, StructureRef ref) {
        this.map = map;
        this.payloads = payloads;
        this.ref = ref;
    }

    private byte[] key(Object key) {
        return payloads.encode(Objects.requireNonNull(key, "a dict key may not be null"), "a key of dict " + map.getName());
    }

    private String context(byte[] key) {
        return "dict:" + map.getName() + ":" + Base64.getEncoder().encodeToString(key);
    }

    private byte[] seal(byte[] key, Object value) {
        return payloads.seal(context(key), Objects.requireNonNull(value, "a dict value may not be null"), false,
                "a value of dict " + map.getName());
    }

    @SuppressWarnings("unchecked")
    private V open(byte[] key, byte[] frame) {
        return frame == null ? null : (V) payloads.open(context(key), frame, "a value of dict " + map.getName());
    }

    /** The map with its values (and keys) typed as what anyone may have stored: read through {@link #read}. */
    @SuppressWarnings("unchecked")
    private IMap<Object, Object> raw() {
        return (IMap<Object, Object>) (IMap<?, ?>) map;
    }

    /**
     * The frame {@code call} got from the map (null: none).
     *
     * @throws SecurityException (logged) if it is not a {@code byte[]}, or Hazelcast could not or would not
     *     decode it: it was not written by this library
     */
    private byte[] read(Supplier<Object> call) {
        Object got;
        try {
            got = call.get();
        } catch (HazelcastSerializationException e) {
            throw foreign("a value", e.getMessage(), e);
        }
        if (got == null || got instanceof byte[]) {
            return (byte[]) got;
        }
        throw foreign("a value", "an object of class " + got.getClass().getName(), null);
    }

    private SecurityException foreign(String what, String detail, Throwable cause) {
        String message = what + " of dict " + map.getName() + " is not one this library wrote (" + detail + "); not decoded";
        WorkerLog.warn("refused " + message);
        return new SecurityException(message, cause);
    }

    @Override
    public V get(Object key) {
        byte[] k = key(key);
        return open(k, read(() -> raw().get(k)));
    }

    @Override
    public boolean containsKey(Object key) {
        return map.containsKey(key(key));
    }

    @Override
    public V put(K key, V value) {
        byte[] k = key(key);
        byte[] frame = seal(k, value);
        return open(k, read(() -> raw().put(k, frame)));
    }

    @Override
    public V remove(Object key) {
        byte[] k = key(key);
        return open(k, read(() -> raw().remove(k)));
    }

    @Override
    public V putIfAbsent(K key, V value) {
        byte[] k = key(key);
        byte[] frame = seal(k, value);
        return open(k, read(() -> raw().putIfAbsent(k, frame)));
    }

    @Override
    public boolean remove(Object key, Object value) {
        if (key == null || value == null) {
            return false;
        }
        byte[] k = key(key);
        while (true) {
            byte[] stored = read(() -> raw().get(k));
            if (stored == null || !matches(open(k, stored), value)) {
                return false;
            }
            if (map.remove(k, stored)) {
                return true;
            }
        }
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        Objects.requireNonNull(oldValue, "a dict value may not be null");
        byte[] k = key(key);
        byte[] next = seal(k, newValue);
        while (true) {
            byte[] stored = read(() -> raw().get(k));
            if (stored == null || !matches(open(k, stored), oldValue)) {
                return false;
            }
            if (map.replace(k, stored, next)) {
                return true;
            }
        }
    }

    /** Whether {@code current} (the stored value, decoded) is {@code given}: see {@link CopiedValues}. */
    private boolean matches(Object current, Object given) {
        String what = "a value of dict " + map.getName();
        return CopiedValues.match(current, given, v -> payloads.encode(v, what));
    }

    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mapping) {
        Objects.requireNonNull(mapping, "mapping");
        byte[] k = key(key);
        while (true) {
            byte[] stored = read(() -> raw().get(k));
            if (stored != null) {
                return open(k, stored);
            }
            V value = mapping.apply(key);
            if (value == null) {
                return null;
            }
            byte[] frame = seal(k, value);
            if (read(() -> raw().putIfAbsent(k, frame)) == null) {
                return value;
            }
        }
    }

    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remapping) {
        Objects.requireNonNull(remapping, "remapping");
        byte[] k = key(key);
        while (true) {
            byte[] stored = read(() -> raw().get(k));
            if (stored == null) {
                return null;
            }
            V value = remapping.apply(key, open(k, stored));
            if (update(k, stored, value)) {
                return value;
            }
        }
    }

    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remapping) {
        Objects.requireNonNull(remapping, "remapping");
        byte[] k = key(key);
        while (true) {
            byte[] stored = read(() -> raw().get(k));
            V value = remapping.apply(key, open(k, stored));
            if (update(k, stored, value)) {
                return value;
            }
        }
    }

    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remapping) {
        Objects.requireNonNull(value, "a dict value may not be null");
        Objects.requireNonNull(remapping, "remapping");
        byte[] k = key(key);
        while (true) {
            byte[] stored = read(() -> raw().get(k));
            V next = stored == null ? value : remapping.apply(open(k, stored), value);
            if (update(k, stored, next)) {
                return next;
            }
        }
    }

    /**
     * Sets the entry of {@code k} from {@code stored} (null: none) to {@code value} (null: none) if it
     * still holds {@code stored}.
     *
     * @return false if the entry changed since {@code stored} was read
     */
    private boolean update(byte[] k, byte[] stored, V value) {
        if (stored == null) {
            if (value == null) {
                return !map.containsKey(k);
            }
            byte[] frame = seal(k, value);
            return read(() -> raw().putIfAbsent(k, frame)) == null;
        }
        return value == null ? map.remove(k, stored) : map.replace(k, stored, seal(k, value));
    }

    @Override
    public V replace(K key, V value) {
        byte[] k = key(key);
        byte[] frame = seal(k, value);
        return open(k, read(() -> raw().replace(k, frame)));
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public void clear() {
        map.clear();
    }

    /** A snapshot of the entries; removing one (or {@code setValue}) acts on the dict. */
    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        List<Map.Entry<K, V>> entries = new ArrayList<>();
        List<Map.Entry<Object, Object>> stored = new ArrayList<>();
        try {
            stored.addAll(raw().entrySet()); // NOTE: Hazelcast decodes the entries as they are iterated
        } catch (HazelcastSerializationException e) {
            throw foreign("an entry", e.getMessage(), e);
        }
        for (Map.Entry<Object, Object> e : stored) {
            if (!(e.getKey() instanceof byte[] k)) {
                throw foreign("a key", "an object of class " + e.getKey().getClass().getName(), null);
            }
            @SuppressWarnings("unchecked")
            K key = (K) payloads.decode(k, "a key of dict " + map.getName());
            entries.add(new Entry(key, k, open(k, read(e::getValue))));
        }
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<K, V>> iterator() {
                Iterator<Map.Entry<K, V>> it = entries.iterator();
                return new Iterator<>() {
                    private Map.Entry<K, V> last;

                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Map.Entry<K, V> next() {
                        return last = it.next();
                    }

                    @Override
                    public void remove() {
                        if (last == null) {
                            throw new IllegalStateException("next() first");
                        }
                        ClusterDict.this.remove(last.getKey());
                        last = null;
                    }
                };
            }

            @Override
            public int size() {
                return entries.size();
            }
        };
    }

    private final class Entry extends AbstractMap.SimpleEntry<K, V> {
        private static final long serialVersionUID = 1L;
        private final transient byte[] encodedKey;

        Entry(K key, byte[] encodedKey, V value) {
            super(key, value);
            this.encodedKey = encodedKey;
        }

        @Override
        public V setValue(V value) {
            map.set(encodedKey, seal(encodedKey, value));
            return super.setValue(value);
        }
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        return ref;
    }

    @Override
    public String toString() {
        return "ClusterDict[" + map.getName() + "]";
    }
}
