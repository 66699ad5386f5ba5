package org.multiprocessing4j.internal.queue;

import org.multiprocessing4j.internal.StallWatchdog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.multiprocessing4j.internal.Configuration;

/**
 * The queue stress run, as the {@code main} of a fresh JVM (so that {@link QueueWeakening} can be set for
 * it alone): {@value #PRODUCERS} producers and {@value #CONSUMERS} consumers hammer a 1 KiB
 * {@link SharedQueue} with small numbered messages (producer, number, then 0..40 bytes derived from both),
 * each pausing at random for longer than the spin budget, so that the consumer lock holder keeps falling
 * asleep on the data futex (empty queue), the producer lock holder on the space futex (full queue), and
 * the others on the two locks. Every consumer checks every message whole and exact, and that each
 * producer's numbers ascend in what it takes (FIFO per producer); at the end the counts and sums per
 * producer must match what was sent (every message exactly once).
 *
 * <p>Arguments: {@code threads <maxMillis> <stallMillis> <seed>} (all in this JVM) or {@code processes ...}
 * (the producers in a second JVM started with the same class path and properties, which runs
 * {@code producers <path> <maxMillis> <seed>} and prints the counts and sums it sent). Producers stop
 * after {@code maxMillis}; then one stop message per consumer is put. The last line printed, and the exit
 * status, are the verdict: {@code OK} (0), {@code CORRUPT} (2: a wrong, torn, reordered, missing or repeated
 * message), {@code HANG} (3: no message taken for {@code stallMillis} while some were due; with the safety
 * net off a lost wake-up sleeps for minutes).
 */
final class QueueStress {
    static final int CAPACITY = 1024;
    static final int PRODUCERS = 2;
    static final int CONSUMERS = 2;
    static final int OK = 0;
    static final int CORRUPT = 2;
    static final int HANG = 3;
    /** Longer than the spin budget (FutexCondition.SPIN_NANOS, 20 µs): a side waiting this long sleeps. */
    private static final long MAX_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(80);
    private static final int HEADER = Integer.BYTES + Long.BYTES;
    private static final int STOP = -1;
    private static final long FOREVER = 1L << 62;

    private static final AtomicLong taken = new AtomicLong();
    private static final long[] count = new long[PRODUCERS];
    private static final long[] sum = new long[PRODUCERS];
    private static final List<Runnable> cleanups = new ArrayList<>();
    private static volatile boolean producing = true;
    private static volatile boolean startingJvm;

    private QueueStress() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("producers")) {
            try (SharedQueue queue = SharedQueue.attach(Path.of(args[1]))) {
                long[][] sent = produce(queue, Long.parseLong(args[2]), Long.parseLong(args[3]));
                for (int p = 0; p < PRODUCERS; p++) {
                    System.out.println("SENT " + p + " " + sent[p][0] + " " + sent[p][1]);
                }
            }
            return;
        }
        long maxMillis = Long.parseLong(args[1]);
        long stallMillis = Long.parseLong(args[2]);
        long seed = Long.parseLong(args[3]);
        long start = System.nanoTime();
        SharedQueue queue = SharedQueue.create(0, CAPACITY);
        cleanups.add(() -> {
            try {
                queue.unlink();
            } catch (Exception ignored) {
                // reported by the tests' leak check if it matters
            }
        });
        startingJvm = args[0].equals("processes");
        startWatchdog(stallMillis);
        List<Thread> consumers = new ArrayList<>();
        for (int c = 0; c < CONSUMERS; c++) {
            long consumerSeed = seed * 31 + c;
            consumers.add(Thread.ofPlatform().name("stress-consumer-" + c).start(() -> consume(queue, consumerSeed)));
        }
        long[][] sent;
        if (args[0].equals("threads")) {
            sent = produce(queue, maxMillis, seed);
        } else {
            sent = produceInAnotherJvm(queue, maxMillis, seed);
        }
        producing = false;
        for (int c = 0; c < CONSUMERS; c++) {
            queue.put(message(STOP, 0), FOREVER);
        }
        for (Thread t : consumers) {
            t.join();
        }
        synchronized (QueueStress.class) {
            for (int p = 0; p < PRODUCERS; p++) {
                if (count[p] != sent[p][0] || sum[p] != sent[p][1]) {
                    verdict(CORRUPT, "producer " + p + " sent " + sent[p][0] + " messages (sum " + sent[p][1] + "), "
                            + count[p] + " were taken (sum " + sum[p] + ")");
                }
            }
        }
        if (queue.size() != 0) {
            verdict(CORRUPT, queue.size() + " messages left after every stop was taken");
        }
        queue.close();
        queue.unlink();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        verdict(OK, taken.get() + " messages in " + millis + " ms");
    }

    /** Runs the producers in this JVM until {@code maxMillis}; returns {count, sum of numbers} per producer. */
    static long[][] produce(SharedQueue queue, long maxMillis, long seed) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        long[][] sent = new long[PRODUCERS][2];
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int producer = p;
            threads.add(Thread.ofPlatform().name("stress-producer-" + p).start(() -> {
                SplittableRandom random = new SplittableRandom(seed * 17 + producer);
                long burst = 0;
                long i = 0;
                try {
                    while (System.nanoTime() - deadline < 0) {
                        if (--burst < 0) {
                            burst = random.nextInt(1, 64);
                            LockSupport.parkNanos(random.nextLong(1, MAX_PAUSE_NANOS)); // consumers run dry and sleep
                        }
                        queue.put(message(producer, i), FOREVER);
                        sent[producer][1] += i;
                        i++;
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    verdict(CORRUPT, "producer " + producer + " failed: " + e);
                }
                sent[producer][0] = i;
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return sent;
    }

    private static long[][] produceInAnotherJvm(SharedQueue queue, long maxMillis, long seed) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
        String weaken = System.getProperty(Configuration.WEAKEN_QUEUE);
        if (weaken != null) {
            command.add("-D" + Configuration.WEAKEN_QUEUE + "=" + weaken);
        }
        command.addAll(List.of(QueueStress.class.getName(), "producers", queue.path().toString(),
                Long.toString(maxMillis), Long.toString(seed)));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        cleanups.add(child::destroyForcibly);
        String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (child.waitFor() != 0) {
            verdict(CORRUPT, "the producers' JVM failed: exit " + child.exitValue() + "\n" + out);
        }
        long[][] sent = new long[PRODUCERS][2];
        int lines = 0;
        for (String line : out.split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length == 4 && f[0].equals("SENT")) {
                int p = Integer.parseInt(f[1]);
                sent[p][0] = Long.parseLong(f[2]);
                sent[p][1] = Long.parseLong(f[3]);
                lines++;
            }
        }
        if (lines != PRODUCERS) {
            verdict(CORRUPT, "the producers' JVM did not report its counts:\n" + out);
        }
        return sent;
    }

    private static void consume(SharedQueue queue, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] last = new long[PRODUCERS];
        java.util.Arrays.fill(last, -1);
        long[] myCount = new long[PRODUCERS];
        long[] mySum = new long[PRODUCERS];
        long burst = 0;
        try {
            for (;;) {
                if (--burst < 0) {
                    burst = random.nextInt(1, 96);
                    LockSupport.parkNanos(random.nextLong(1, MAX_PAUSE_NANOS)); // producers fill the queue and sleep
                }
                byte[] m = queue.take(FOREVER);
                if (m.length < HEADER) {
                    verdict(CORRUPT, "a message of " + m.length + " bytes");
                }
                ByteBuffer b = ByteBuffer.wrap(m);
                int producer = b.getInt();
                long i = b.getLong();
                if (producer == STOP) {
                    break;
                }
                if (producer < 0 || producer >= PRODUCERS) {
                    verdict(CORRUPT, "a message from producer " + producer + " (torn?)");
                }
                byte[] expected = message(producer, i);
                if (!java.util.Arrays.equals(m, expected)) {
                    verdict(CORRUPT, "message " + i + " of producer " + producer + " is torn: " + m.length + " bytes, "
                            + expected.length + " expected, or a byte differs");
                }
                if (i <= last[producer]) {
                    verdict(CORRUPT, "producer " + producer + "'s message " + i + " came after its " + last[producer]);
                }
                last[producer] = i;
                myCount[producer]++;
                mySum[producer] += i;
                taken.incrementAndGet();
            }
        } catch (Exception e) {
            e.printStackTrace();
            verdict(CORRUPT, "a consumer failed: " + e);
        }
        synchronized (QueueStress.class) {
            for (int p = 0; p < PRODUCERS; p++) {
                count[p] += myCount[p];
                sum[p] += mySum[p];
            }
        }
    }

    /** Message i of producer p: p, i, then 0..40 bytes derived from both. */
    static byte[] message(int producer, long i) {
        int payload = producer == STOP ? 0 : (int) ((i * 7919 + producer) % 41);
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload).putInt(producer).putLong(i);
        for (int k = 0; k < payload; k++) {
            b.put((byte) (i * 31 + producer * 7 + k));
        }
        return b.array();
    }

    private static void startWatchdog(long stallMillis) {
        // the producers' JVM may still be starting: no message yet is not a stall for its first 10 s
        StallWatchdog.start(taken::get, stallMillis, startingJvm ? 10_000 : 0, now -> verdict(HANG, "no message taken for "
                + stallMillis + " ms after " + now + (producing ? " (producers still running)" : " (producers done)")));
    }

    private static synchronized void verdict(int status, String what) {
        System.out.println((status == OK ? "OK " : status == CORRUPT ? "CORRUPT " : "HANG ") + what);
        System.out.flush();
        cleanups.forEach(Runnable::run);
        Runtime.getRuntime().halt(status);
    }
}
