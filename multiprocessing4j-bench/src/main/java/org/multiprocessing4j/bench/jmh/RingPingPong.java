package org.multiprocessing4j.bench.jmh;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.internal.ring.SpscReader;
import org.multiprocessing4j.internal.ring.SpscRing;
import org.multiprocessing4j.internal.ring.SpscWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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

/**
 * Latency of a round trip of an {@value #MESSAGE_BYTES}-byte message between two threads of this JVM:
 * the benchmark thread sends it one way and waits for the echo, which an echo thread (started at setup,
 * stopped at teardown) sends back the other way. Channels, as the {@code @Param}:
 * <ul>
 * <li>{@code spscRing}: two {@link SpscRing}s of {@value #RING_BYTES} bytes ({@code /dev/shm} files, all
 *     four ends claimed here); each side copies a reused array in, and gets a new array per message out;
 * <li>{@code synchronousQueue}: two {@link SynchronousQueue}{@code <byte[]>};
 * <li>{@code arrayBlockingQueue}: two {@link ArrayBlockingQueue}{@code <byte[]>} of one slot.
 * </ul>
 * The queues pass the same array back and forth (no copy, no allocation); the ring cannot, it copies
 * bytes. Every call blocks the way the channel blocks (the ring spins, then sleeps on a futex; the queues
 * spin briefly, then park). The echo thread is not a JMH thread, so the benchmark thread never waits for
 * an echo that the end of an iteration cut off: exactly one message is in flight at any time.
 *
 * <p>Run from the repository root (short settings for a shared 2-vCPU machine; these are also the defaults
 * given by the annotations):
 * <pre>
 * ./mvnw -q -Pjmh -DskipTests package -Djmh.args="RingPingPong -f 1 -wi 3 -w 1s -i 3 -r 1s"
 * </pre>
 * Every ring file is unlinked as soon as its ends are claimed, so a run leaves nothing in {@code /dev/shm}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class RingPingPong {
    static final int MESSAGE_BYTES = 8;
    static final int RING_BYTES = 64 * 1024;

    @Param({"spscRing", "synchronousQueue", "arrayBlockingQueue"})
    public String channel;

    private final byte[] message = new byte[MESSAGE_BYTES];
    private SpscRing there;
    private SpscRing back;
    private SpscWriter send;
    private SpscReader receive;
    private BlockingQueue<byte[]> thereQueue;
    private BlockingQueue<byte[]> backQueue;
    private Thread echo;
    private volatile boolean stopping;
    private volatile Throwable echoFailure;

    @Setup(Level.Trial)
    public void start() throws IOException {
        Runnable loop;
        switch (channel) {
            case "spscRing" -> {
                there = SpscRing.create(RING_BYTES);
                back = SpscRing.create(RING_BYTES);
                send = there.writer();
                SpscReader echoIn = there.reader();
                SpscWriter echoOut = back.writer();
                receive = back.reader();
                there.unlink();
                back.unlink();
                loop = () -> {
                    try {
                        for (;;) {
                            byte[] m = echoIn.read();
                            echoOut.write(m, 0, m.length);
                        }
                    } catch (IOException | RuntimeException | InterruptedException e) {
                        // Teardown closes the rings: the echo thread then fails in or between its calls
                        // (ClosedChannelException, AsynchronousCloseException, InterruptedException).
                        if (!stopping) {
                            echoFailure = e;
                        }
                    }
                };
            }
            case "synchronousQueue", "arrayBlockingQueue" -> {
                boolean sync = channel.equals("synchronousQueue");
                thereQueue = sync ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(1);
                backQueue = sync ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(1);
                BlockingQueue<byte[]> in = thereQueue;
                BlockingQueue<byte[]> out = backQueue;
                loop = () -> {
                    try {
                        for (;;) {
                            out.put(in.take());
                        }
                    } catch (InterruptedException e) {
                        if (!stopping) {
                            echoFailure = e;
                        }
                    }
                };
            }
            default -> throw new IllegalArgumentException("unknown channel: " + channel);
        }
        echo = new Thread(loop, "echo-" + channel);
        echo.setDaemon(true);
        echo.start();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException, InterruptedException {
        stopping = true;
        echo.interrupt();
        if (there != null) {
            there.close(); // wakes the echo thread if it sleeps in read (AsynchronousCloseException)
            back.close();
        }
        echo.join(TimeUnit.SECONDS.toMillis(10));
        if (echo.isAlive()) {
            throw new IllegalStateException("echo thread did not stop: " + echo);
        }
        if (echoFailure != null) {
            throw new IllegalStateException("echo thread failed", echoFailure);
        }
    }

    @Benchmark
    public byte[] roundTrip() throws IOException, InterruptedException {
        if (send != null) {
            send.write(message, 0, MESSAGE_BYTES);
            return receive.read();
        }
        thereQueue.put(message);
        return backQueue.take();
    }
}
