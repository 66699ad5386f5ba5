package org.multiprocessing4j;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import org.multiprocessing4j.internal.sharedmem.ListLayout;
import org.multiprocessing4j.internal.sharedmem.SegmentNames;

/**
 * A fixed-length list in a {@link SharedMemory} segment that any process of the user may attach by name:
 * Python's {@code multiprocessing.shared_memory.ShareableList}. It is a {@code java.util.List<Object>}
 * whose {@link #get} and {@link #set} read and write the shared memory; {@code add}, {@code remove} and
 * every other size change throw {@link UnsupportedOperationException}.
 *
 * <p>Items: {@code null}, {@link Integer}, {@link Long}, {@link Double}, {@link Boolean}, {@link String}
 * and {@code byte[]} (CPython's None, int, float, bool, str, bytes). An item may be replaced by one of
 * another type. As in CPython each item has fixed storage, set at creation: 8 bytes for a number, boolean
 * or null; for a string (UTF-8) or byte[] its length then, rounded up to a multiple of 8 (at least 8). A
 * later string or byte[] longer than that throws {@link IllegalArgumentException} (CPython's
 * {@code ValueError}); {@link #get} returns a new {@code byte[]} each time.
 *
 * <p>Concurrency: like CPython's, a ShareableList has no lock. Each {@code get}/{@code set} of one item
 * is ordered with release/acquire on that item's type-and-length word, so a reader sees an item's type
 * and length as one writer stored them; but a string or byte[] read while another process overwrites it
 * may mix old and new bytes. Guard concurrent writers and readers of an item with a {@link Lock}.
 *
 * <p>Lifetime, names and handles: those of the underlying {@link SharedMemory} ({@link #shm()}): a
 * {@code ShareableList} is serializable, and a child that captures one attaches on first use. Decoding the
 * same handle again in a JVM gives the same instance while it is open (one attachment however many tasks
 * capture it); after {@link #close()} the next decode gives a new one.
 * {@link #close()} ends this object's attachment; {@link #unlink()} removes the name.
 *
 * <p>Thread-safe (each call is one shared-memory access; see above for what that guarantees).
 */
public final class ShareableList extends AbstractList<Object> implements RandomAccess, Serializable, AutoCloseable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The shared memory block holding the list. */
    private final SharedMemory shm;
    private transient volatile ListLayout layout;

    private ShareableList(SharedMemory shm, ListLayout layout) {
        this.shm = shm;
        this.layout = layout;
    }

    /**
     * A new list holding {@code items}, in a segment with a generated name.
     *
     * @param items the inputs, one call of {@code fn} each
     * @return the new list
     * @throws IllegalArgumentException naming the index and class of an item of an unsupported type
     * @throws IOException if the segment cannot be created
     */
    public static ShareableList create(List<?> items) throws IOException {
        return create(SegmentNames.generatedName(), items);
    }

    /**
     * A new list holding {@code items}, in a new segment {@code name}.
     *
     * @param name the segment's name
     * @param items the inputs, one call of {@code fn} each
     * @return the new list
     * @throws java.nio.file.FileAlreadyExistsException if a segment of that name exists
     * @throws IllegalArgumentException naming the index and class of an item of an unsupported type, or if
     *         the name is not valid (see {@link SharedMemory})
     * @throws IOException if the segment cannot be created
     */
    public static ShareableList create(String name, List<?> items) throws IOException {
        Objects.requireNonNull(items, "items");
        List<?> snapshot = Arrays.asList(items.toArray());
        long bytes = ListLayout.bytesFor(snapshot);
        ListLayout[] written = new ListLayout[1];
        // NOTE: written before the segment is published, so an attach by name never finds it without its list
        SharedMemory shm = SharedMemory.create(name, bytes, data -> written[0] = ListLayout.write(data, snapshot));
        return new ShareableList(shm, written[0]);
    }

    /**
     * Attaches to the existing list in segment {@code name}.
     *
     * @param name the segment's name
     * @return the list, attached
     * @throws java.nio.file.NoSuchFileException if there is no segment of that name
     * @throws IOException if the segment holds no ShareableList or one of another layout version (the
     *         message names both versions), or cannot be attached
     */
    public static ShareableList attach(String name) throws IOException {
        SharedMemory shm = SharedMemory.attach(name);
        try {
            return new ShareableList(shm, ListLayout.read(shm.segment(), name));
        } catch (IOException | RuntimeException | Error e) {
            shm.close();
            throw e;
        }
    }

    /**
     * The item at {@code index}.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
     * @throws IllegalStateException if this list is closed (or, in a decoded copy, its segment is gone)
     */
    @Override
    public Object get(int index) {
        ListLayout list = layout();
        return list.get(Objects.checkIndex(index, list.size()));
    }

    /**
     * Replaces the item at {@code index}; returns the one it held.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
     * @throws IllegalArgumentException if {@code value} has an unsupported type, or is a string or byte[]
     *         longer than the item's storage
     * @throws IllegalStateException if this list is closed (or, in a decoded copy, its segment is gone)
     */
    @Override
    public Object set(int index, Object value) {
        ListLayout list = layout();
        Objects.checkIndex(index, list.size());
        Object old = list.get(index);
        list.set(index, value);
        return old;
    }

    /**
     * Refused: a ShareableList's length is fixed at creation, as CPython's is.
     *
     * @param index   unused
     * @param element unused
     * @throws UnsupportedOperationException always, saying so
     */
    @Override
    public void add(int index, Object element) {
        throw fixedLength("add an item to");
    }

    /**
     * Refused: a ShareableList's length is fixed at creation, as CPython's is.
     *
     * @param index unused
     * @return never
     * @throws UnsupportedOperationException always, saying so
     */
    @Override
    public Object remove(int index) {
        throw fixedLength("remove an item from");
    }

    private UnsupportedOperationException fixedLength(String what) {
        return new UnsupportedOperationException("cannot " + what + " a ShareableList: its length is fixed at creation;"
                + " set items, or create a new list");
    }

    /** The number of items, fixed at creation. */
    @Override
    public int size() {
        return layout().size();
    }

    /**
     * How many items equal {@code value} (Python's {@code count}).
     *
     * @param value the value to count (compared with {@code equals}; a {@code byte[]} by its contents)
     * @return how many items equal {@code value} (Python's {@code count})
     */
    public int count(Object value) {
        int n = 0;
        for (Object item : this) {
            if (Objects.deepEquals(item, value)) {
                n++;
            }
        }
        return n;
    }

    /**
     * The index of the first item equal to {@code value}, or -1 (Python's {@code index}, which raises
     * instead). Items compare as in {@link #count}: a {@code byte[]} by its contents.
     */
    @Override
    public int indexOf(Object value) {
        for (int i = 0, n = size(); i < n; i++) {
            if (Objects.deepEquals(get(i), value)) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the last item equal to {@code value}, or -1; {@code byte[]}s compare by contents. */
    @Override
    public int lastIndexOf(Object value) {
        for (int i = size() - 1; i >= 0; i--) {
            if (Objects.deepEquals(get(i), value)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether an item equals {@code value} (Python's {@code in}); {@code byte[]}s compare by contents. */
    @Override
    public boolean contains(Object value) {
        return indexOf(value) >= 0;
    }

    /**
     * Whether {@code other} is a {@link List} with equal items in the same order, items compared as in
     * {@link #count}: a {@code byte[]} by its contents, since {@link #get} returns a new array each time.
     * (A plain list compares a {@code byte[]} by identity, so {@code plainList.equals(this)} can be false
     * where this is true.)
     */
    @Override
    public boolean equals(Object other) {
        if (other == this) {
            return true;
        }
        if (!(other instanceof List<?> list) || list.size() != size()) {
            return false;
        }
        Iterator<?> theirs = list.iterator();
        for (Object item : this) {
            if (!theirs.hasNext() || !Objects.deepEquals(item, theirs.next())) {
                return false;
            }
        }
        return !theirs.hasNext();
    }

    /** As {@link List#hashCode()}, with a {@code byte[]} item hashed by its contents, consistent with {@link #equals}. */
    @Override
    public int hashCode() {
        int h = 1;
        for (Object item : this) {
            h = 31 * h + (item instanceof byte[] b ? Arrays.hashCode(b) : Objects.hashCode(item));
        }
        return h;
    }

    /** {@return the segment's name: pass it to {@link #attach(String)} in another process} */
    public String name() {
        return shm.name();
    }

    /** {@return the segment that holds the list (Python's {@code shm} attribute)} */
    public SharedMemory shm() {
        return shm;
    }

    /** Ends this object's attachment (see {@link SharedMemory#close()}). Idempotent. */
    @Override
    public void close() {
        shm.close();
    }

    /** Removes the segment's name (see {@link SharedMemory#unlink()}). Idempotent. */
    public void unlink() {
        shm.unlink();
    }

    /**
     * A decoded copy is this JVM's open decoded copy of the same list, if there is one: {@link #shm} was
     * already resolved to the open segment copy, and the first list over it is the one to use.
     *
     * @return the list to use in place of this decoded one
     */
    @Serial
    private Object readResolve() {
        return shm.adopt(this);
    }

    private ListLayout layout() {
        ListLayout list = layout;
        if (list != null) {
            shm.segment(); // throws once closed
            return list;
        }
        synchronized (this) {
            if (layout == null) {
                try {
                    layout = ListLayout.read(shm.segment(), shm.name());
                } catch (IOException e) {
                    throw new UncheckedIOException(e.getMessage(), e);
                }
            }
            return layout;
        }
    }

    /**
     * The name and the items, as {@code ShareableList[name][item, ...]}; once closed (or, in a decoded copy,
     * when the segment is gone) the name and why the items cannot be read. Never throws.
     */
    @Override
    public String toString() {
        // NOTE: a list is printed in logs and assertion messages after it was closed: that must not throw
        if (shm.isClosed()) {
            return "ShareableList[" + shm.name() + ", closed]";
        }
        try {
            return "ShareableList[" + shm.name() + "]" + super.toString();
        } catch (IllegalStateException | UncheckedIOException unreadable) {
            return "ShareableList[" + shm.name() + ", unreadable: " + unreadable.getMessage() + "]";
        }
    }
}
