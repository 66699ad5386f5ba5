package org.multiprocessing4j.internal.ring;

import java.lang.foreign.MemorySegment;

/**
 * A message whose bytes are not in one array (a header and the encoding of a value, with large arrays of
 * the value referenced instead of copied): {@link SpscWriter#write(MessageSource)} copies it into the ring
 * part by part, so a large argument is copied once, from the caller's array into shared memory. The bytes
 * must not change while a write of them runs.
 */
public interface MessageSource {
    /** The message's length in bytes. */
    int length();

    /** Copies bytes {@code [from, from + n)} of the message to {@code dst} at {@code at}. */
    void copyTo(int from, MemorySegment dst, long at, int n);
}
