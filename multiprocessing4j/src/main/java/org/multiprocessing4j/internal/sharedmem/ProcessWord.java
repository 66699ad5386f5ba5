package org.multiprocessing4j.internal.sharedmem;

import org.multiprocessing4j.internal.futex.ProcessWatch;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/**
 * A process as one CAS-able {@code long} of shared memory: pid in the low 32 bits, a token of its start
 * time (the low 32 bits of its start in epoch milliseconds, as {@link ProcessStamp} computes it; 0 when
 * unknown) in the high 32 bits. The pair tells a live process from an unrelated one that reuses its pid.
 * 0 means "nobody". Thread-safe, stateless.
 */
final class ProcessWord {
    /** This JVM's word. */
    static final long SELF = of(ProcessStamp.self());

    private ProcessWord() {
    }

    static long of(ProcessStamp stamp) {
        return ((long) (int) stamp.startMillis() << 32) | (stamp.pid() & 0xFFFF_FFFFL);
    }

    static int pid(long word) {
        return (int) word;
    }

    /**
     * True if the process the word names still runs (a zombie counts as gone where pidfds exist). The pidfd
     * is opened before the start time is read, so a pid reused in between is not mistaken for it.
     */
    static boolean isAlive(long word) {
        if (word == 0) {
            return false;
        }
        if (word == SELF) {
            return true;
        }
        int pid = pid(word);
        int token = (int) (word >>> 32);
        if (pid <= 0) {
            return false;
        }
        try (ProcessWatch watch = ProcessWatch.open(new ProcessStamp(pid, 0))) {
            return watch.isAlive() && (token == 0 || ProcessHandle.of(pid)
                    .map(h -> ProcessStamp.startMillis(h).map(start -> (int) (long) start == token).orElse(true))
                    .orElse(false));
        }
    }

    static String describe(long word) {
        return "pid " + pid(word);
    }
}
