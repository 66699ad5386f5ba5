package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.map.IMap;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.remote.EventBackend;

/**
 * The backend of a cluster context's {@code Event}: a flag in an {@code IMap}, shared by every JVM of the
 * cluster. A serializable handle ({@link StructureRef}). Thread-safe.
 *
 * <p>Implementation note: the entry holds a transition count, odd while the flag is set: {@link #set()}
 * moves an even count to the next odd one, {@link #clear()} an odd one to the next even one, each with the
 * map's atomic {@code replace(key, old, new)}. A waiter reads the count every 5 to 100 ms (an {@code IMap}
 * has no blocking wait) and returns true once it is odd <em>or has changed</em> since the wait began: a
 * set and a clear between two reads still end the wait, as Python's rule asks.
 * The count is not signed: an entry that is not a {@code Long} (written by someone without the authkey) is
 * deleted and logged, and read as "not set" ({@link Queues#count}).
 */
public final class ClusterEvent implements EventBackend {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final String STATE = "state";

    private final transient IMap<String, Long> map;
    private final transient StructureRef ref;

    ClusterEvent(IMap<String, Long> map, StructureRef ref) {
        this.map = map;
        this.ref = ref;
    }

    private long state() {
        Long state = Queues.count(map, STATE);
        return state == null ? 0 : state;
    }

    @Override
    public boolean isSet() {
        return (state() & 1) == 1;
    }

    @Override
    public void set() {
        flip(1);
    }

    @Override
    public void clear() {
        flip(0);
    }

    /** Moves the count to the next value of parity {@code parity}, unless it has it already. */
    private void flip(long parity) {
        while (true) {
            Long now = Queues.count(map, STATE);
            long current = now == null ? 0 : now;
            if ((current & 1) == parity) {
                return;
            }
            if (now == null ? map.putIfAbsent(STATE, current + 1) == null : map.replace(STATE, now, current + 1)) {
                return;
            }
        }
    }

    @Override
    public boolean await(long nanos) throws InterruptedException {
        long start = state();
        if ((start & 1) == 1) {
            return true;
        }
        long deadline = Saturating.deadline(nanos);
        long pauseMs = 5;
        while (nanos < 0 || deadline - System.nanoTime() > 0) {
            long wait = nanos < 0 ? pauseMs : Math.min(pauseMs, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            Thread.sleep(wait);
            long now = state();
            if (now != start) {
                return true; // set since the wait began (maybe cleared again since)
            }
            pauseMs = Math.min(100, pauseMs * 2);
            ScopeEnds.check(ref);
        }
        return false;
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        return ref;
    }

    @Override
    public String toString() {
        return "ClusterEvent[" + map.getName() + "]";
    }
}
