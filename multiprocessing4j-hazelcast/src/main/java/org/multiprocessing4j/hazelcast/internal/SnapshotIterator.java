package org.multiprocessing4j.hazelcast.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.function.Function;

/**
 * An iterator over a snapshot of a cluster collection of signed frames: each frame is checked and decoded by
 * {@code open} as it is reached, and {@link #remove()} removes that frame from the live collection. Not
 * thread-safe (one iteration, one thread), as iterators go. {@code live} is a {@link Queues#checked} snapshot
 * (items that are not frames already replaced by {@link Queues#FOREIGN}, whose check fails in {@code open}):
 * copying a raw cluster collection here would decode whatever anyone wrote into it.
 *
 * @param <T> the type of the decoded items
 */
final class SnapshotIterator<T> implements Iterator<T> {
    private final Collection<byte[]> live;
    private final Function<byte[], T> open;
    private final Iterator<byte[]> frames;
    private byte[] last;

    SnapshotIterator(Collection<byte[]> live, Function<byte[], T> open) {
        this.live = live;
        this.open = open;
        this.frames = new ArrayList<>(live).iterator();
    }

    @Override
    public boolean hasNext() {
        return frames.hasNext();
    }

    @Override
    public T next() {
        last = frames.next();
        return open.apply(last);
    }

    @Override
    public void remove() {
        if (last == null) {
            throw new IllegalStateException("next() first");
        }
        live.remove(last);
        last = null;
    }
}
