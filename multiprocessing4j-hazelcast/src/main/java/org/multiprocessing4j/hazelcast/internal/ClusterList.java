package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.collection.IList;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A {@link List} on a Hazelcast {@code IList<byte[]>}, shared by every JVM of the cluster that names it (a
 * manager's {@code list()} across machines). Each item is encoded and signed for its list with a random
 * number ({@link Payloads}): one written without the authkey, or copied from another list, raises
 * {@link SecurityException} when read, undecoded (so does, logged, an item that is not a {@code byte[]} at
 * all, which Hazelcast's filter refuses to deserialize: {@link ClusterConfigs}); within the list, someone on the network can still
 * delete, duplicate or reorder items. Index operations are one cluster call each; iteration,
 * {@code contains}, {@code indexOf} and {@code remove(Object)} work on a snapshot (one call) and compare
 * decoded items with {@code equals}. A compound step ({@code get} then {@code set}) is not atomic: guard
 * it with a {@code ClusterData.lock}. No nulls. A serializable handle ({@link StructureRef}). Thread-safe.
 */
public final class ClusterList<T> extends AbstractList<T> implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private final transient IList<byte[]> list;
    private final transient Payloads payloads;
    private final transient String context;
    private final transient StructureRef ref;

    ClusterList(IList<byte[]> list, Payloads payloads, StructureRef ref) {
        this.list = list;
        this.payloads = payloads;
        this.ref = ref;
        this.context = "list:" + list.getName();
    }

    private byte[] seal(T item) {
        return payloads.seal(context, Objects.requireNonNull(item, "a cluster list holds no null"), true, "an item of list " + list.getName());
    }

    @SuppressWarnings("unchecked")
    private T open(byte[] frame) {
        return frame == null ? null : (T) payloads.open(context, frame, "an item of list " + list.getName());
    }

    /** The list with its items typed as what anyone may have stored: read through {@link #read}. */
    @SuppressWarnings("unchecked")
    private IList<Object> raw() {
        return (IList<Object>) (IList<?>) list;
    }

    /**
     * The frame {@code call} got from the list (null: none).
     *
     * @throws SecurityException (logged) if it is not a {@code byte[]}, or Hazelcast could not or would not
     *     decode it: it was not written by this library
     */
    private byte[] read(Supplier<Object> call) {
        Object got;
        String detail;
        Throwable cause = null;
        try {
            got = call.get();
            if (got == null || got instanceof byte[]) {
                return (byte[]) got;
            }
            detail = "an object of class " + got.getClass().getName();
        } catch (HazelcastSerializationException e) {
            detail = e.getMessage();
            cause = e;
        }
        String message = "an item of list " + list.getName() + " is not one this library wrote (" + detail + "); not decoded";
        WorkerLog.warn("refused " + message);
        throw new SecurityException(message, cause);
    }

    @Override
    public T get(int index) {
        return open(read(() -> raw().get(index)));
    }

    @Override
    public int size() {
        return list.size();
    }

    @Override
    public T set(int index, T item) {
        byte[] frame = seal(item);
        return open(read(() -> raw().set(index, frame)));
    }

    @Override
    public boolean add(T item) {
        return list.add(seal(item));
    }

    @Override
    public void add(int index, T item) {
        if (index < 0) {
            // NOTE: Hazelcast's IList.add takes -1 to mean "at the end"; a List must refuse it
            throw new IndexOutOfBoundsException("index " + index + " is negative (list of " + size() + " items)");
        }
        list.add(index, seal(item));
    }

    @Override
    public T remove(int index) {
        return open(read(() -> raw().remove(index)));
    }

    @Override
    public void clear() {
        list.clear();
    }

    /**
     * A snapshot of the items; its {@code remove()} removes that item from the list. An item that is not a
     * {@code byte[]} raises {@link SecurityException} when reached, as one with a bad signature does.
     *
     * @throws SecurityException if the list holds an object that Hazelcast cannot or may not decode
     */
    @Override
    public Iterator<T> iterator() {
        return new SnapshotIterator<>(Queues.checked(list, "list " + list.getName()), this::open);
    }

    @Override
    public int indexOf(Object item) {
        int i = 0;
        for (Iterator<T> it = iterator(); it.hasNext(); i++) {
            if (Objects.equals(item, it.next())) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int lastIndexOf(Object item) {
        int found = -1;
        int i = 0;
        for (Iterator<T> it = iterator(); it.hasNext(); i++) {
            if (Objects.equals(item, it.next())) {
                found = i;
            }
        }
        return found;
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        return ref;
    }

    @Override
    public String toString() {
        return "ClusterList[" + list.getName() + "]";
    }
}
