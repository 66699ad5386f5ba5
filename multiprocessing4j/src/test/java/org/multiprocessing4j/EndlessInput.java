package org.multiprocessing4j;

import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;

/** An endless input for imap and map tests: 0, 1, 2, ... and how many items were read so far. Thread-safe. */
final class EndlessInput implements Iterator<Long> {
    private final AtomicLong read = new AtomicLong();

    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public Long next() {
        return read.getAndIncrement();
    }

    /** Items handed out so far. */
    long read() {
        return read.get();
    }
}
