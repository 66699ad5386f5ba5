package org.multiprocessing4j.bench.jmh;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.ring.SpscReader;
import org.multiprocessing4j.internal.ring.SpscRing;
import org.multiprocessing4j.internal.ring.SpscWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * Throughput of handing {@value #MESSAGE_BYTES}-byte messages from one producer thread to one consumer
 * thread of this JVM, through one of:
 * <ul>
 * <li>{@code spscRing}: an {@link SpscRing} of {@value #RING_BYTES} bytes (a {@code /dev/shm} file, both
 *     ends claimed here); the producer copies one reused array in, the consumer gets a new array per message;
 * <li>{@code arrayBlockingQueue}: an {@link ArrayBlockingQueue}{@code <byte[]>} of {@value #QUEUE_CAPACITY}
 *     slots (the ring holds about as many messages: 16 KiB of 64-byte records); the producer offers a fresh
 *     copy of the message, so that each side, as with the ring, costs one 64-byte array per message.
 * </ul>
 * An unbounded queue ({@code LinkedTransferQueue}) is left out on purpose: here the producer would run
 * ahead of the consumer until the heap filled.
 *
 * <p>JMH reports {@code produce} and {@code consume} ops/s separately, and their sum as the group's
 * figure; the rate of the channel is the lower of the two (they differ by what is left in the channel
 * when an iteration ends). Both ends wait the way the channel waits (the ring spins, then sleeps on a
 * futex; the queue parks on a lock condition), in slices of {@link #WAIT} so that a side whose partner has
 * stopped for the iteration's end notices {@link Control#stopMeasurement} and returns; a call that gives
 * up that way is still counted, a handful per iteration at most.
 *
 * <p>Run from the repository root (short settings for a shared 2-vCPU machine; these are also the defaults
 * given by the annotations):
 * <pre>
 * ./mvnw -q -Pjmh -DskipTests package -Djmh.args="RingVsQueue -f 1 -wi 3 -w 1s -i 3 -r 1s"
 * </pre>
 * Every ring file is unlinked as soon as both ends are claimed, so a run leaves nothing in {@code /dev/shm}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RingVsQueue {
    static final int MESSAGE_BYTES = 64;
    static final int RING_BYTES = 1 << 20;
    static final int QUEUE_CAPACITY = 16_384;
    /** How long one wait lasts before the waiting side checks whether the iteration is over. */
    static final Duration WAIT = Duration.ofMillis(1);

    /** One channel, shared by the group's producer and consumer; the competitor is {@link #channel}. */
    @State(Scope.Group)
    public static class Channel {
        @Param({"spscRing", "arrayBlockingQueue"})
        public String channel;

        final byte[] message = new byte[MESSAGE_BYTES];
        SpscRing ring;
        SpscWriter writer;
        SpscReader reader;
        ArrayBlockingQueue<byte[]> queue;

        @Setup(Level.Trial)
        public void open() throws IOException {
            switch (channel) {
                case "spscRing" -> {
                    ring = SpscRing.create(RING_BYTES);
                    writer = ring.writer();
                    reader = ring.reader();
                    ring.unlink();
                }
                case "arrayBlockingQueue" -> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
                default -> throw new IllegalArgumentException("unknown channel: " + channel);
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            if (ring != null) {
                ring.unlink();
                ring.close();
            }
        }
    }

    @Benchmark
    @Group("handOff")
    @GroupThreads(1)
    public boolean produce(Channel c, Control control) throws IOException, InterruptedException {
        if (c.ring != null) {
            while (!c.writer.write(c.message, 0, MESSAGE_BYTES, WAIT)) {
                if (control.stopMeasurement) {
                    return false;
                }
            }
        } else {
            byte[] copy = c.message.clone();
            while (!c.queue.offer(copy, WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
                if (control.stopMeasurement) {
                    return false;
                }
            }
        }
        return true;
    }

    @Benchmark
    @Group("handOff")
    @GroupThreads(1)
    public byte[] consume(Channel c, Control control) throws IOException, InterruptedException {
        byte[] m;
        if (c.ring != null) {
            while ((m = c.reader.read(WAIT)) == null) {
                if (control.stopMeasurement) {
                    return null;
                }
            }
        } else {
            while ((m = c.queue.poll(WAIT.toNanos(), TimeUnit.NANOSECONDS)) == null) {
                if (control.stopMeasurement) {
                    return null;
                }
            }
        }
        return m;
    }
}
