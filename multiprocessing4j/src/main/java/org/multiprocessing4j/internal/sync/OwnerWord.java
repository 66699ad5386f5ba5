package org.multiprocessing4j.internal.sync;

import org.multiprocessing4j.internal.futex.ProcessWatch;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * A process recorded in one {@code long} of shared memory, so that it is written and read whole by one
 * CAS: its pid in the low 32 bits (where a futex can sleep on it) and a token of its start time in the high
 * 32 bits (the low 32 bits of its start in epoch milliseconds, as {@link ProcessStamp} computes it; 0 when
 * unknown). 0 means "nobody". The token tells a live process from one that reuses a dead one's pid, the
 * reader itself included.
 */
public final class OwnerWord {
    /** This process's word, computed once. */
    public static final long SELF = of(ProcessStamp.self());

    private OwnerWord() {
    }

    static long of(ProcessStamp stamp) {
        return ((long) (int) stamp.startMillis() << 32) | (stamp.pid() & 0xFFFF_FFFFL);
    }

    /** The pid half. */
    public static int pid(long word) {
        return (int) word;
    }

    static int token(long word) {
        return (int) (word >>> 32);
    }

    /**
     * True if the process {@code word} records has exited (zombie included) or its pid now names another
     * process. Never true for 0 or for this process. Costs a pidfd open, poll and close, plus a read of
     * the start time: tens of microseconds, so callers ask only on a slow path.
     */
    public static boolean isDead(long word) {
        if (word == 0 || word == SELF) {
            return false;
        }
        int pid = pid(word);
        if (pid <= 0) {
            return true; // not a pid: a torn or corrupt word cannot name a live owner
        }
        try (ProcessWatch watch = ProcessWatch.open(new ProcessStamp(pid, 0))) {
            // NOTE: the pidfd first, the start time after: a pid reused in between shows a different start.
            return !(watch.isAlive() && (token(word) == 0 || ProcessHandle.of(pid)
                    .map(h -> ProcessStamp.startMillis(h).map(start -> (int) (long) start == token(word)).orElse(true))
                    .orElse(false)));
        }
    }
}
