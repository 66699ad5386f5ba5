package org.multiprocessing4j.bench.jmh;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.multiprocessing4j.Lock;
import org.multiprocessing4j.RLock;
import org.multiprocessing4j.Semaphore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One uncontended lock + unlock, one thread, in ns/op (the JMH side of the {@code lock} workload's
 * {@code uncontended_*} lines, without their loop): the process-shared {@link Lock} (Python's
 * {@code acquire}/{@code release}, and the {@code java.util.concurrent.locks.Lock} methods), {@link RLock} and
 * {@link Semaphore Semaphore(1)} against the JDK's {@link ReentrantLock} and
 * {@link java.util.concurrent.Semaphore}. Each of ours is a {@code /dev/shm} file mapped in this JVM; the
 * uncontended paths are one CAS to take and one exchange to release (plus the holder and count stores of an
 * RLock, and for a Semaphore a robust mutex around the count and the per-process holding table).
 *
 * <p>Run from the repository root (short settings for a shared 2-vCPU machine; also the annotation defaults):
 * <pre>
 * ./mvnw -q -Pjmh -DskipTests package -Djmh.args="LockVsReentrantLock -f 1 -wi 3 -w 1s -i 3 -r 1s"
 * </pre>
 * Every file is removed in the trial's tear-down, so a run leaves nothing in {@code /dev/shm}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public class LockVsReentrantLock {
    Lock lock;
    RLock rlock;
    Semaphore semaphore;
    final ReentrantLock reentrantLock = new ReentrantLock();
    final java.util.concurrent.Semaphore jdkSemaphore = new java.util.concurrent.Semaphore(1);

    @Setup(Level.Trial)
    public void open() {
        lock = new Lock();
        rlock = new RLock();
        semaphore = new Semaphore(1);
    }

    @TearDown(Level.Trial)
    public void close() {
        lock.close();
        rlock.close();
        semaphore.close();
    }

    /** Our {@link Lock}, Python-style: {@code acquire(); release()}. */
    @Benchmark
    public void mp4jLockAcquireRelease() throws InterruptedException {
        lock.acquire();
        lock.release();
    }

    /** Our {@link Lock} through {@code java.util.concurrent.locks.Lock}: {@code lock(); unlock()}. */
    @Benchmark
    public void mp4jLockLockUnlock() {
        lock.lock();
        lock.unlock();
    }

    /** Our {@link RLock}: {@code acquire(); release()}. */
    @Benchmark
    public void mp4jRLock() throws InterruptedException {
        rlock.acquire();
        rlock.release();
    }

    /** Our {@link Semaphore Semaphore(1)}: {@code acquire(); release()}. */
    @Benchmark
    public void mp4jSemaphore() throws InterruptedException {
        semaphore.acquire();
        semaphore.release();
    }

    /** The JDK's {@link ReentrantLock} (non-fair): {@code lock(); unlock()}. */
    @Benchmark
    public void reentrantLock() {
        reentrantLock.lock();
        reentrantLock.unlock();
    }

    /** The JDK's {@link java.util.concurrent.Semaphore Semaphore(1)} (non-fair): {@code acquire(); release()}. */
    @Benchmark
    public void jdkSemaphore() throws InterruptedException {
        jdkSemaphore.acquire();
        jdkSemaphore.release();
    }
}
