package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.collection.IList;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * A {@link List} on a Hazelcast {@code IList<byte[]>}, shared by every JVM of the cluster that names it (a
 * manager's {@code list()} across machines). Each item is encoded and signed for its list with a random
 * number ({@link Payloads}): one written without the authkey, or copied from another list, raises
 * {@link SecurityException} when read, undecoded; within the list, someone on the network can still
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

    @Override
    public T get(int index) {
        return open(list.get(index));
    }

    @Override
    public int size() {
        return list.size();
    }

    @Override
    public T set(int index, T item) {
        return open(list.set(index, seal(item)));
    }

    @Override
    public boolean add(T item) {
        return list.add(seal(item));
    }

    @Override
    public void add(int index, T item) {
        list.add(index, seal(item));
    }

    @Override
    public T remove(int index) {
        return open(list.remove(index));
    }

    @Override
    public void clear() {
        list.clear();
    }

    /** A snapshot of the items; its {@code remove()} removes that item from the list. */
    @Override
    public Iterator<T> iterator() {
        return new SnapshotIterator<>(list, this::open);
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
