package org.multiprocessing4j.internal.manager;

import java.time.Duration;
import org.multiprocessing4j.Array;
import org.multiprocessing4j.Barrier;
import org.multiprocessing4j.BoundedSemaphore;
import org.multiprocessing4j.Condition;
import org.multiprocessing4j.Event;
import org.multiprocessing4j.JoinableQueue;
import org.multiprocessing4j.Lock;
import org.multiprocessing4j.Queue;
import org.multiprocessing4j.RLock;
import org.multiprocessing4j.Semaphore;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.Value;

/**
 * Makes the shared-memory objects a manager hands out ({@code MAKE} requests): the library's own queues,
 * locks, semaphores, events, conditions, barriers, values and arrays, created by the manager process so
 * that they belong to it (it closes them, removing their files, when it shuts down; processes already
 * using one keep it). They travel as their own handles, so every process of the tree uses them directly
 * through shared memory, with the owner-death recovery those types have.
 */
final class SharedObjects {
    private SharedObjects() {
    }

    static AutoCloseable make(String kind, Object argument) {
        return switch (kind) {
            case "queue" -> new Queue<>((Integer) argument);
            case "joinableQueue" -> new JoinableQueue<>((Integer) argument);
            case "lock" -> new Lock();
            case "rlock" -> new RLock();
            case "semaphore" -> new Semaphore((Integer) argument);
            case "boundedSemaphore" -> new BoundedSemaphore((Integer) argument);
            case "condition" -> switch (argument) {
                case null -> new Condition();
                case Lock lock -> new Condition(lock);
                case RLock lock -> new Condition(lock);
                default -> throw new IllegalArgumentException("a condition's lock must be a Lock or RLock, not " + argument.getClass().getName());
            };
            case "event" -> new Event();
            case "barrier" -> {
                Object[] a = (Object[]) argument;
                yield new Barrier((Integer) a[0], (SerializableRunnable) a[1], (Duration) a[2]);
            }
            case "value" -> value(argument);
            case "array" -> array(argument);
            default -> throw new IllegalArgumentException("unknown shared object kind " + kind);
        };
    }

    private static Value value(Object initial) {
        return switch (initial) {
            case Integer v -> Value.ofInt(v);
            case Long v -> Value.ofLong(v);
            case Double v -> Value.ofDouble(v);
            case Float v -> Value.ofFloat(v);
            case Short v -> Value.ofShort(v);
            case Byte v -> Value.ofByte(v);
            case Character v -> Value.ofChar(v);
            case null, default -> throw new IllegalArgumentException("a manager value holds a byte, short, int, long, float,"
                    + " double or char, not " + (initial == null ? "null" : initial.getClass().getName()));
        };
    }

    private static Array array(Object initial) {
        return switch (initial) {
            case int[] a -> Array.ofInts(a);
            case long[] a -> Array.ofLongs(a);
            case double[] a -> Array.ofDoubles(a);
            case float[] a -> Array.ofFloats(a);
            case short[] a -> Array.ofShorts(a);
            case byte[] a -> Array.ofBytes(a);
            case char[] a -> Array.ofChars(a);
            case null, default -> throw new IllegalArgumentException("a manager array is made from a primitive array, not "
                    + (initial == null ? "null" : initial.getClass().getName()));
        };
    }
}
