package org.multiprocessing4j.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.Configuration;
import org.multiprocessing4j.internal.shm.ProcessStamp;
import org.multiprocessing4j.internal.shm.SharedFile;

/**
 * The stress run of the sync protocols, as the {@code main} of a fresh JVM (so that {@link SyncWeakening}
 * can be set for it alone). Scenarios, each hammering one protocol from several threads (and, in
 * {@code processes} mode, a second JVM attached to the same file) with random pauses around the spin
 * budget so that waiters keep falling asleep on their futex:
 * <ul>
 * <li>{@code lock}: lock / critical section / unlock; the critical section checks that nobody else is in it,
 *     and a party that makes no progress while the others do is stuck (a waiter nobody wakes).
 * <li>{@code bias}: as {@code lock}, on a {@link BiasedLock}, with "hot" parties that take it in bursts
 *     (earning its bias) and "cold" ones that take it now and then (revoking it); run with
 *     {@code lock-bias-eager} so that the bias comes and goes thousands of times a second.
 * <li>{@code recovery}: rounds in which the lock word is left owned by a dead process and several threads
 *     race to take it over while others try to take it normally; exactly one may be inside at a time.
 * <li>{@code condition}: two parties take turns through a condition (wait until it is my turn, pass the
 *     turn, signal).
 * <li>{@code condition-timeout}: waiters with timeouts around the spin budget race a signaller that sends
 *     one or two signals at a time and now and then interrupts a waiter of its JVM: a wait that gave up
 *     (timeout, interrupt) must not have taken a signal (what the wait returned must be what finishing it
 *     says), and the waiting count and the signals sent but not yet taken stay within 0..waiters.
 * <li>{@code barrier}: three parties pass a barrier again and again.
 * </ul>
 * Arguments: {@code <scenario> threads|processes <maxMillis> <stallMillis> <seed>}; a worker JVM runs
 * {@code worker <scenario> <path> <seed>}. The last line printed and the exit status are the verdict:
 * {@code OK} (0), {@code CORRUPT} (2: two holders inside a lock, a broken barrier), {@code HANG} (3: no
 * progress for {@code stallMillis}; with the safety net off a lost wake-up sleeps for minutes).
 */
final class SyncStress {
    static final int OK = 0;
    static final int CORRUPT = 2;
    static final int HANG = 3;
    private static final long MAX_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(60);
    /**
     * How long a count still at 0 (a party's acquisitions, or the run's steps) is not a stall: the parties'
     * threads, or the worker JVM, may still be starting (class loading, FFM linking, the JIT's first
     * compilations). On a loaded machine that took over 2 s (the real protocol's runs were called HANG
     * "after 0 acquisitions"); a count that never leaves 0 is still a HANG, only later. The run does not end
     * OK while a count is at 0 within this allowance.
     */
    private static final long FIRST_PROGRESS_MILLIS = 10_000;

    private static final long LOCK = 0;
    private static final long PROGRESS = 64;
    private static final long MARKER = 72;
    private static final long TURN = 80;
    private static final long STOP = 88;
    private static final long ATTACHED = 96;
    private static final long SENT = 104;
    private static final long CONSUMED = 112;
    /** Set by a condition-timeout waiter that found a violation, so that one in the worker JVM fails the run too. */
    private static final long FAILED = 120;
    /** Waiter parties of the condition-timeout scenario, in all JVMs together. */
    private static final int TIMEOUT_WAITERS = 3;
    /** Acquisitions per lock party (8 parties at most): a party that stops while others go on is stuck. */
    private static final long PARTY_PROGRESS = 256;
    private static final int PARTIES = 4;
    private static final long CONDITION = 128;
    private static final long BARRIER = 4352;
    private static final long FILE_BYTES = 8192;
    private static final VarHandle LONG = JAVA_LONG.varHandle().withInvokeExactBehavior();

    private static MemorySegment memory;

    private SyncStress() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("worker")) {
            workerFlag = true;
            SharedFile file = SharedFile.attach(Path.of(args[2]));
            memory = file.segment();
            LONG.setVolatile(memory, ATTACHED, 1L);
            runParties(args[1], Long.parseLong(args[3]), true);
            ProcessHandle parent = ProcessHandle.current().parent().orElseThrow();
            while (parent.isAlive()) {
                Thread.sleep(50); // the main JVM halts at its verdict: then this one ends too
            }
            Runtime.getRuntime().halt(0);
        }
        String scenario = args[0];
        boolean processes = args[1].equals("processes");
        long maxMillis = Long.parseLong(args[2]);
        long stallMillis = Long.parseLong(args[3]);
        long seed = Long.parseLong(args[4]);
        SharedFile file = SharedFile.create(FILE_BYTES);
        memory = file.segment();
        SharedBarrier.initialize(memory, BARRIER, 3);
        java.lang.Process worker = null;
        if (processes) {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
            String weaken = System.getProperty(Configuration.WEAKEN_SYNC);
            if (weaken != null) {
                command.add("-D" + Configuration.WEAKEN_SYNC + "=" + weaken);
            }
            command.addAll(List.of(SyncStress.class.getName(), "worker", scenario, file.path().toString(), Long.toString(seed + 1)));
            worker = new ProcessBuilder(command).inheritIO().start();
        }
        long attachDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (processes && (long) LONG.getVolatile(memory, ATTACHED) == 0 && System.nanoTime() - attachDeadline < 0) {
            Thread.sleep(10);
        }
        file.unlink(); // mapped by every party now; a verdict halts without running hooks
        if (processes && (long) LONG.getVolatile(memory, ATTACHED) == 0) {
            worker.destroyForcibly();
            verdict(CORRUPT, "the worker JVM did not attach");
        }
        long start = System.nanoTime();
        runParties(scenario, seed, processes);
        long lastProgress = -1;
        long lastChange = System.nanoTime();
        long[] partyProgress = new long[PARTIES];
        long[] partyChange = new long[PARTIES];
        java.util.Arrays.fill(partyChange, start);
        for (;;) {
            Thread.sleep(50);
            long progress = (long) LONG.getVolatile(memory, PROGRESS);
            long now = System.nanoTime();
            if ((long) LONG.getVolatile(memory, FAILED) != 0) {
                Thread.sleep(100); // the failing JVM prints its own verdict line; let it come first
                verdict(CORRUPT, "CORRUPT: reported by a waiter in " + (processes ? "one of the JVMs" : "this JVM") + ", see above");
            }
            for (int p = 0; (scenario.equals("lock") || scenario.equals("bias")) && p < (scenario.equals("bias") && !processes ? 3 : PARTIES); p++) {
                long mine = (long) LONG.getVolatile(memory, PARTY_PROGRESS + 8L * p);
                if (mine != partyProgress[p]) {
                    partyProgress[p] = mine;
                    partyChange[p] = now;
                } else if (now - partyChange[p] > TimeUnit.MILLISECONDS.toNanos(mine == 0 ? Math.max(stallMillis, FIRST_PROGRESS_MILLIS) : stallMillis)) {
                    verdict(HANG, "HANG: lock party " + p + " stuck after " + mine + " acquisitions while the others made "
                            + progress + " steps, " + TimeUnit.NANOSECONDS.toMillis(now - start) + " ms");
                }
            }
            if (progress != lastProgress) {
                lastProgress = progress;
                lastChange = now;
            } else if (now - lastChange > TimeUnit.MILLISECONDS.toNanos(progress == 0 ? Math.max(stallMillis, FIRST_PROGRESS_MILLIS) : stallMillis)) {
                verdict(HANG, "HANG after " + progress + " steps, " + TimeUnit.NANOSECONDS.toMillis(now - start) + " ms");
            }
            boolean starting = progress == 0;
            for (int p = 0; (scenario.equals("lock") || scenario.equals("bias")) && p < (scenario.equals("bias") && !processes ? 3 : PARTIES); p++) {
                starting |= partyProgress[p] == 0;
            }
            if (now - start > TimeUnit.MILLISECONDS.toNanos(maxMillis) && !starting) {
                verdict(OK, "OK " + progress + " steps in " + TimeUnit.NANOSECONDS.toMillis(now - start) + " ms"
                        + (scenario.equals("bias") ? ", " + new BiasedLock(memory, LOCK).revocations() + " revocations" : ""));
            }
        }
    }

    /** Starts this JVM's parties of {@code scenario} as daemon threads. */
    private static List<Thread> runParties(String scenario, long seed, boolean shared) {
        List<Thread> threads = new ArrayList<>();
        int id = (int) ProcessHandle.current().pid() << 8;
        switch (scenario) {
            case "lock" -> {
                int first = shared && isWorker() ? 2 : 0;
                for (int t = first; t < (shared ? first + 2 : PARTIES); t++) {
                    long me = id + t + 1;
                    int party = t;
                    threads.add(start("lock-" + t, seed + t, random -> lockLoop(me, party, random)));
                }
            }
            case "bias" -> {
                int first = shared && isWorker() ? 2 : 0;
                for (int t = first; t < (shared ? first + 2 : 3); t++) {
                    long me = id + t + 1;
                    int party = t;
                    boolean hot = t % 2 == 0;
                    threads.add(start((hot ? "hot-" : "cold-") + t, seed + t, random -> biasLoop(me, party, hot, random)));
                }
            }
            case "recovery" -> threads.add(start("recovery", seed, SyncStress::recoveryRounds));
            case "condition" -> {
                int parties = shared ? 1 : 2;
                int first = shared && isWorker() ? 1 : 0;
                for (int p = first; p < first + parties; p++) {
                    int party = p;
                    threads.add(start("turn-" + p, seed + p, random -> conditionLoop(party, random)));
                }
            }
            case "condition-timeout" -> {
                List<Thread> waiters = new ArrayList<>();
                int parties = shared ? (isWorker() ? 2 : 1) : TIMEOUT_WAITERS;
                for (int p = 0; p < parties; p++) {
                    int party = p;
                    waiters.add(start("waiter-" + p, seed + p, random -> timeoutWaiterLoop(party, random)));
                }
                threads.addAll(waiters);
                if (!isWorker()) {
                    threads.add(start("signaller", seed + 7, random -> signallerLoop(waiters, random)));
                }
            }
            case "barrier" -> {
                int parties = shared ? (isWorker() ? 1 : 2) : 3;
                for (int p = 0; p < parties; p++) {
                    threads.add(start("party-" + p, seed + p, SyncStress::barrierLoop));
                }
            }
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
        return threads;
    }

    private static boolean workerFlag;

    private static boolean isWorker() {
        return workerFlag;
    }

    interface Body {
        void run(SplittableRandom random) throws Exception;
    }

    private static Thread start(String name, long seed, Body body) {
        return Thread.ofPlatform().name(name).daemon().start(() -> {
            try {
                body.run(new SplittableRandom(seed));
            } catch (Throwable t) {
                t.printStackTrace();
                verdict(CORRUPT, "CORRUPT: " + name + " failed: " + t);
            }
        });
    }

    private static void lockLoop(long me, int party, SplittableRandom random) throws InterruptedException {
        RobustLock lock = new RobustLock(memory, LOCK);
        while ((long) LONG.getVolatile(memory, STOP) == 0) {
            lock.lock(Waits.never(), true);
            long ignored = (long) LONG.getAndAdd(memory, PARTY_PROGRESS + 8L * party, 1L);
            enterCriticalSection(me);
            pause(random);
            leaveCriticalSection(me);
            lock.unlock();
            pause(random);
        }
    }

    /** A hot party takes the lock up to 200 times back to back, then pauses; a cold one takes it once per pause. */
    private static void biasLoop(long me, int party, boolean hot, SplittableRandom random) throws InterruptedException {
        BiasedLock lock = new BiasedLock(memory, LOCK);
        while ((long) LONG.getVolatile(memory, STOP) == 0) {
            int burst = hot ? 1 + random.nextInt(200) : 1;
            for (int i = 0; i < burst; i++) {
                if (!lock.tryLockFree()) {
                    lock.lock(Waits.never(), true);
                }
                long ignored = (long) LONG.getAndAdd(memory, PARTY_PROGRESS + 8L * party, 1L);
                enterCriticalSection(me);
                leaveCriticalSection(me);
                lock.unlock();
            }
            pause(random);
        }
    }

    /**
     * Rounds: the lock word is set to a dead process's word, then four threads are released at once, two
     * of them trying to take it over (one attempt) and two taking it normally (waiting); each holder checks
     * it is alone inside. Exactly one take-over per round.
     */
    private static void recoveryRounds(SplittableRandom random) throws Exception {
        java.lang.Process gone = new ProcessBuilder("true").start();
        long dead = OwnerWord.of(ProcessStamp.of(gone.toHandle()));
        gone.waitFor();
        RobustLock lock = new RobustLock(memory, LOCK);
        int contenders = 4;
        CyclicBarrier go = new CyclicBarrier(contenders + 1);
        CyclicBarrier done = new CyclicBarrier(contenders + 1);
        int[] recovered = new int[1];
        for (int c = 0; c < contenders; c++) {
            long me = c + 1;
            boolean recoverer = c < 2;
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (;;) {
                        go.await();
                        RobustLock.Acquired a = recoverer ? lock.tryLock() : lock.lock(Waits.never(), true);
                        if (a.held()) {
                            if (a == RobustLock.Acquired.RECOVERED) {
                                synchronized (recovered) {
                                    recovered[0]++;
                                }
                            }
                            enterCriticalSection(me);
                            Thread.onSpinWait();
                            leaveCriticalSection(me);
                            lock.unlock();
                        }
                        done.await();
                    }
                } catch (Exception e) {
                    verdict(CORRUPT, "CORRUPT: contender failed: " + e);
                }
            });
        }
        for (;;) {
            recovered[0] = 0;
            LONG.setVolatile(memory, LOCK, dead);
            go.await();
            done.await(1, TimeUnit.MINUTES);
            synchronized (recovered) {
                if (recovered[0] != 1) {
                    verdict(CORRUPT, "CORRUPT: " + recovered[0] + " threads took over one dead owner's lock after "
                            + (long) LONG.getVolatile(memory, PROGRESS) + " rounds");
                }
            }
            if (lock.isLocked()) {
                verdict(CORRUPT, "CORRUPT: the lock is still held after a round");
            }
            long ignored = (long) LONG.getAndAdd(memory, PROGRESS, 1L);
            if (random.nextInt(16) == 0) {
                pause(random);
            }
        }
    }

    /** Party {@code me} (0 or 1) waits for its turn, passes it to the other, signals; under the lock. */
    private static void conditionLoop(int me, SplittableRandom random) {
        RobustLock lock = new RobustLock(memory, LOCK);
        SharedCondition condition = new SharedCondition(memory, CONDITION);
        for (;;) {
            lockUninterruptibly(lock);
            while ((long) LONG.getVolatile(memory, TURN) != me) {
                int slot = condition.register();
                lock.unlock();
                condition.await(slot, Waits.never(), false);
                lockUninterruptibly(lock);
                condition.finish(slot);
            }
            pause(random); // the other party is falling asleep meanwhile, at a random point
            LONG.setVolatile(memory, TURN, (long) (1 - me));
            long ignored = (long) LONG.getAndAdd(memory, PROGRESS, 1L);
            condition.signal(1);
            lock.unlock();
        }
    }

    /**
     * A waiter that gives up after a random timeout around the spin budget (so that it gives up while
     * spinning, while entering its sleep, asleep, and while the signaller holds the lock); an interrupt
     * from the signaller ends its wait too.
     */
    private static void timeoutWaiterLoop(int me, SplittableRandom random) {
        RobustLock lock = new RobustLock(memory, LOCK);
        SharedCondition condition = new SharedCondition(memory, CONDITION);
        for (;;) {
            lockUninterruptibly(lock);
            int slot = condition.register();
            lock.unlock();
            boolean signalled = condition.await(slot, System.nanoTime() + random.nextLong(2 * MAX_PAUSE_NANOS), true);
            lockUninterruptibly(lock);
            boolean finished = condition.finish(slot);
            boolean interrupted = Thread.interrupted();
            if (signalled != finished) {
                LONG.setVolatile(memory, FAILED, 1L);
                verdict(CORRUPT, "CORRUPT: waiter " + me + " gave up (" + (interrupted ? "interrupted" : "timed out")
                        + ") yet took a signal sent before it finished, after " + (long) LONG.getVolatile(memory, PROGRESS) + " steps");
            }
            if (finished) {
                long ignored = (long) LONG.getAndAdd(memory, CONSUMED, 1L);
            }
            long ignored = (long) LONG.getAndAdd(memory, PROGRESS, 1L);
            lock.unlock();
            pause(random);
        }
    }

    /** Sends one or two signals under the lock, checks the waiting count, and now and then interrupts one of {@code waiters}. */
    private static void signallerLoop(List<Thread> waiters, SplittableRandom random) {
        RobustLock lock = new RobustLock(memory, LOCK);
        SharedCondition condition = new SharedCondition(memory, CONDITION);
        for (;;) {
            lockUninterruptibly(lock);
            int sent = condition.signal(1 + random.nextInt(2));
            long ignored = (long) LONG.getAndAdd(memory, SENT, (long) sent);
            int waiting = condition.waiting();
            if (waiting < 0 || waiting > TIMEOUT_WAITERS) {
                verdict(CORRUPT, "CORRUPT: " + waiting + " waiters counted, " + TIMEOUT_WAITERS + " at most");
            }
            long unconsumed = (long) LONG.getVolatile(memory, SENT) - (long) LONG.getVolatile(memory, CONSUMED);
            if (unconsumed < 0 || unconsumed > TIMEOUT_WAITERS) {
                verdict(CORRUPT, "CORRUPT: " + unconsumed + " signals counted as sent but not yet taken, " + TIMEOUT_WAITERS + " at most");
            }
            if (random.nextInt(4) == 0) {
                waiters.get(random.nextInt(waiters.size())).interrupt();
            }
            lock.unlock();
            pause(random);
        }
    }

    private static void barrierLoop(SplittableRandom random) {
        SharedBarrier barrier = new SharedBarrier(memory, BARRIER);
        int[] index = new int[1];
        for (;;) {
            SharedBarrier.Outcome outcome = barrier.await(null, Waits.never(), index);
            if (outcome != SharedBarrier.Outcome.PASSED) {
                verdict(CORRUPT, "CORRUPT: a barrier pass ended " + outcome);
            }
            if (index[0] == 0) {
                long ignored = (long) LONG.getAndAdd(memory, PROGRESS, 1L);
            }
            pause(random);
        }
    }

    private static void enterCriticalSection(long me) {
        long other = (long) LONG.getAndSet(memory, MARKER, me);
        if (other != 0) {
            verdict(CORRUPT, "CORRUPT: " + me + " entered while " + other + " was inside, after "
                    + (long) LONG.getVolatile(memory, PROGRESS) + " steps");
        }
        long ignored = (long) LONG.getAndAdd(memory, PROGRESS, 1L);
    }

    private static void leaveCriticalSection(long me) {
        if (!LONG.compareAndSet(memory, MARKER, me, 0L)) {
            verdict(CORRUPT, "CORRUPT: another holder entered while " + me + " was inside");
        }
    }

    private static void lockUninterruptibly(RobustLock lock) {
        try {
            lock.lock(Waits.never(), false);
        } catch (InterruptedException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    /** Busy-waits a random time up to 60 µs: about the spin budget (20 µs), so the other side sometimes sleeps. */
    private static void pause(SplittableRandom random) {
        long end = System.nanoTime() + random.nextLong(MAX_PAUSE_NANOS);
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    private static synchronized void verdict(int status, String line) {
        System.out.println(line);
        System.out.flush();
        Runtime.getRuntime().halt(status);
    }
}
