package org.multiprocessing4j.internal.ring;

import org.multiprocessing4j.internal.StallWatchdog;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The ring stress run, as the {@code main} of a fresh JVM (so that {@link RingWeakening} can be set for it
 * alone): a writer and a reader hammer a 1 KiB ring with small numbered messages (every byte derived
 * from the number, with now and then one streamed in pieces), each side pausing at random for longer
 * than the spin budget so that both keep falling asleep on their futex: the reader on an empty ring, the
 * writer on a full one. The reader checks that message i comes i-th, once, whole and exact.
 *
 * <p>Arguments: {@code threads <messages> <maxMillis> <stallMillis> <seed>} (both ends in this JVM) or
 * {@code processes ...} (the writer in a second JVM started with the same class path and properties; it
 * runs {@code writer <path> <messages> <maxMillis> <seed>}). The writer stops at {@code messages} or at
 * {@code maxMillis}, whichever comes first. The last line printed, and the exit status, are the verdict:
 * {@code OK} (0), {@code CORRUPT} (2: wrong, torn, missing or repeated message), {@code HANG} (3: the reader
 * made no progress for {@code stallMillis}; with the safety net off a lost wake-up sleeps for minutes).
 */
final class RingStress {
    static final int CAPACITY = 1024;
    static final int OK = 0;
    static final int CORRUPT = 2;
    static final int HANG = 3;
    /** Longer than the spin budget (RingEnd.SPIN_MAX_NANOS, 50 µs): a peer waiting this long goes to sleep. */
    private static final long MAX_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(150);
    private static final int HEADER = Long.BYTES;

    private static final AtomicLong received = new AtomicLong();
    private static final AtomicLong sent = new AtomicLong(-1); // unknown across JVMs
    private static final List<Runnable> cleanups = new ArrayList<>();

    private RingStress() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("writer")) {
            try (SpscRing ring = SpscRing.attach(Path.of(args[1]))) {
                write(ring.writer(), Long.parseLong(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]));
            }
            return;
        }
        long messages = Long.parseLong(args[1]);
        long maxMillis = Long.parseLong(args[2]);
        long stallMillis = Long.parseLong(args[3]);
        long seed = Long.parseLong(args[4]);
        long start = System.nanoTime();
        SpscRing ring = SpscRing.create(CAPACITY);
        cleanups.add(() -> {
            try {
                ring.unlink();
            } catch (Exception ignored) {
                // reported by the tests' leak check if it matters
            }
        });
        startWatchdog(stallMillis);
        SpscReader reader = ring.reader();
        if (args[0].equals("threads")) {
            SpscWriter writer = ring.writer();
            ring.unlink(); // both ends are mapped here: the name is no longer needed
            Thread.ofPlatform().name("stress-writer").daemon().start(() -> {
                try {
                    write(writer, messages, maxMillis, seed);
                } catch (Exception e) {
                    e.printStackTrace();
                    verdict(CORRUPT, "the writer failed: " + e);
                }
            });
        } else {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
            String weaken = System.getProperty(org.multiprocessing4j.internal.Configuration.WEAKEN_RING);
            if (weaken != null) {
                command.add("-D" + org.multiprocessing4j.internal.Configuration.WEAKEN_RING + "=" + weaken);
            }
            command.addAll(List.of(RingStress.class.getName(), "writer", ring.path().toString(),
                    Long.toString(messages), Long.toString(maxMillis), Long.toString(seed)));
            Process child = new ProcessBuilder(command).inheritIO().start();
            cleanups.add(child::destroyForcibly);
        }
        read(reader, ring, seed);
        ring.close();
        ring.unlink();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        verdict(OK, received.get() + " messages in " + millis + " ms");
    }

    /** Writes messages 0.. until {@code messages} or {@code maxMillis}; then a zero-length end marker if cut short. */
    static void write(SpscWriter writer, long messages, long maxMillis, long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        byte[] buffer = new byte[HEADER + 1000];
        long burst = 0;
        long i = 0;
        for (; i < messages; i++) {
            if (--burst < 0) {
                burst = random.nextInt(1, 64);
                LockSupport.parkNanos(random.nextLong(1, MAX_PAUSE_NANOS)); // the reader runs dry and sleeps
                if (System.nanoTime() - deadline > 0) {
                    writer.write(buffer, 0, 0); // cut short: tells the reader the count is not `messages`
                    break;
                }
            }
            int n = fill(buffer, i);
            writer.write(buffer, 0, n);
        }
        sent.set(i);
        writer.close();
    }

    private static void read(SpscReader reader, SpscRing ring, long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(~seed);
        byte[] expected = new byte[HEADER + 1000];
        long burst = 0;
        boolean cutShort = false;
        for (long i = 0; ; i++) {
            if (--burst < 0) {
                burst = random.nextInt(1, 96);
                LockSupport.parkNanos(random.nextLong(1, MAX_PAUSE_NANOS)); // the writer fills the ring and sleeps
            }
            byte[] m;
            try {
                m = reader.read();
            } catch (EOFException eof) {
                if (!cutShort && sent.get() >= 0 && sent.get() != i) {
                    verdict(CORRUPT, "EOF after " + i + " messages, " + sent.get() + " were sent");
                }
                return;
            }
            if (m.length == 0 && !cutShort) {
                cutShort = true; // the writer's time was up; EOF comes next
                i--;
                continue;
            }
            if (cutShort) {
                verdict(CORRUPT, "a message after the end marker: " + m.length + " bytes");
            }
            int n = fill(expected, i);
            if (m.length != n) {
                verdict(CORRUPT, "message " + i + " has " + m.length + " bytes, not " + n
                        + (m.length >= HEADER ? " (it is number " + ByteBuffer.wrap(m).getLong() + ")" : ""));
            }
            for (int k = 0; k < n; k++) {
                if (m[k] != expected[k]) {
                    verdict(CORRUPT, "message " + i + " differs at byte " + k + " of " + n + ": " + m[k] + " not " + expected[k]
                            + " (it carries number " + ByteBuffer.wrap(m).getLong() + ")");
                }
            }
            received.lazySet(i + 1);
        }
    }

    /** Message i: its number, then 0..40 bytes derived from it; every 997th is 700 bytes, streamed in pieces. */
    static int fill(byte[] buffer, long i) {
        int payload = i % 997 == 996 ? 700 : (int) (i * 7919 % 41);
        ByteBuffer.wrap(buffer).putLong(i);
        for (int k = 0; k < payload; k++) {
            buffer[HEADER + k] = (byte) (i * 31 + k);
        }
        return HEADER + payload;
    }

    private static void startWatchdog(long stallMillis) {
        StallWatchdog.start(received::get, stallMillis, 0, now -> verdict(HANG, "no message for " + stallMillis + " ms after " + now
                + " were received" + (sent.get() >= 0 ? " (the writer finished after " + sent.get() + ")" : "")));
    }

    private static synchronized void verdict(int status, String what) {
        System.out.println((status == OK ? "OK " : status == CORRUPT ? "CORRUPT " : "HANG ") + what);
        System.out.flush();
        cleanups.forEach(Runnable::run);
        Runtime.getRuntime().halt(status);
    }
}
