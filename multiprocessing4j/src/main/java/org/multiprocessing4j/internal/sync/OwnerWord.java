package org.multiprocessing4j.internal.sync;

import java.util.LinkedHashMap;
import java.util.Map;
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
        long token = SyncWeakening.LOCK_NO_TOKEN ? 0 : (long) (int) stamp.startMillis() << 32;
        return token | (stamp.pid() & 0xFFFF_FFFFL);
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
     * process. Never true for 0 or for this process. The first question about a process opens a pidfd and
     * checks the start time (tens of microseconds); the pidfd is then kept (for the last
     * {@value #WATCHED} processes asked about), so later questions cost one {@code poll} (under a
     * microsecond). A pidfd names one process for its whole life, so a kept one is never fooled by pid reuse.
     */
    public static boolean isDead(long word) {
        if (word == 0 || word == SELF) {
            return false;
        }
        int pid = pid(word);
        if (pid <= 0) {
            return true; // not a pid: a torn or corrupt word cannot name a live owner
        }
        synchronized (WATCHES) {
            ProcessWatch watch = WATCHES.get(word);
            if (watch == null) {
                watch = ProcessWatch.open(new ProcessStamp(pid, 0));
                // NOTE: the pidfd first, the start time after: a pid reused in between shows a different start.
                boolean same = token(word) == 0 || ProcessHandle.of(pid)
                        .map(h -> ProcessStamp.startMillis(h).map(start -> (int) (long) start == token(word)).orElse(true))
                        .orElse(false);
                if (!same || !watch.isAlive()) {
                    watch.close();
                    return true;
                }
                WATCHES.put(word, watch);
            }
            if (watch.isAlive()) {
                return false;
            }
            WATCHES.remove(word).close();
            return true;
        }
    }

    private static final int WATCHED = 64;

    /** Open pidfds of processes recently asked about, least recently asked first; guarded by itself. */
    private static final Map<Long, ProcessWatch> WATCHES = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, ProcessWatch> eldest) {
            if (size() > WATCHED) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };
}
