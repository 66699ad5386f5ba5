package org.multiprocessing4j.bench.workloads;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.JoinableQueue;
import org.multiprocessing4j.Pipe;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.Queue;
import org.multiprocessing4j.SimpleQueue;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Stats;
import org.multiprocessing4j.bench.Workload;

/**
 * {@code queue_throughput} of {@code shared/bench/python/README.md}: the parent puts the ints 0..N−1 and then
 * −1; a child consumer sums them and, at −1, sends the sum over a one-way {@link Pipe}. Timed from before the
 * first put until the sum is received (and checked). N = 100,000 (10,000); warm-up N/4. Variants
 * {@code Queue}, {@code SimpleQueue}, and {@code JoinableQueue} (the consumer calls {@code taskDone()} after
 * every get, the producer {@code join()}s after putting −1). Run: {@code ./mvnw -q -Pbench -DskipTests package
 * -Dbench.args="--cpython --only queue_throughput"}.
 */
public final class QueueThroughput implements Workload {

    /** What the workload needs of a queue, over the three classes (SimpleQueue is not a Queue). */
    private interface Ops extends Serializable, AutoCloseable {
        void put(int item) throws InterruptedException;

        int get() throws InterruptedException;

        default void taskDone() {
        }

        default void join() throws InterruptedException {
        }

        @Override
        void close();
    }

    @Override
    public String name() {
        return "queue_throughput";
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        int n = ctx.size(100_000, 10_000);
        variant(ctx, "Queue", n, queue(new Queue<>()));
        variant(ctx, "SimpleQueue", n, simple(new SimpleQueue<>()));
        variant(ctx, "JoinableQueue", n, queue(new JoinableQueue<>()));
    }

    private void variant(BenchContext ctx, String variant, int n, Ops q) throws Exception {
        boolean joinable = variant.equals("JoinableQueue");
        try (q; Pipe ack = Pipe.open(false)) {
            Connection ackReader = ack.left();
            Connection ackWriter = ack.right();
            Process consumer = new Process("consumer", () -> consume(q, ackWriter, joinable));
            consumer.start();
            try {
                List<Double> rates = Repeat.measured(n, n / 4, size -> {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < size; i++) {
                        q.put(i);
                    }
                    q.put(-1);
                    if (joinable) {
                        q.join();
                    }
                    long sum = ((Number) ackReader.recv()).longValue();
                    long t1 = System.nanoTime();
                    if (sum != (long) size * (size - 1) / 2) {
                        throw new IllegalStateException("consumer summed " + sum + " for N = " + size);
                    }
                    return size / ((t1 - t0) / 1e9);
                });
                q.put(-2);
                consumer.join(Duration.ofSeconds(30));
                ctx.emit(Result.of(name(), variant, Stats.of(rates), "msgs/s", Result.params("N", n, "item", "int 0..N-1",
                        "producer", "parent", "consumer", "child", "transport", "shared-memory ring, robust futex locks")));
            } finally {
                if (consumer.isAlive()) {
                    consumer.kill();
                    consumer.join();
                }
            }
        }
    }

    private static void consume(Ops q, Connection ack, boolean joinable) {
        try {
            long sum = 0;
            while (true) {
                int x = q.get();
                if (joinable) {
                    q.taskDone();
                }
                if (x == -2) {
                    return;
                }
                if (x == -1) {
                    ack.send(sum);
                    sum = 0;
                } else {
                    sum += x;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("consumer failed", e);
        }
    }

    /** A {@link Queue} or {@link JoinableQueue} (whose {@code taskDone}/{@code join} it then uses). */
    private static Ops queue(Queue<Integer> q) {
        return new Ops() {
            public void put(int item) throws InterruptedException {
                q.put(item);
            }

            public int get() throws InterruptedException {
                return q.get();
            }

            @Override
            public void taskDone() {
                if (q instanceof JoinableQueue<Integer> j) {
                    j.taskDone();
                }
            }

            @Override
            public void join() throws InterruptedException {
                if (q instanceof JoinableQueue<Integer> j) {
                    j.join();
                }
            }

            public void close() {
                q.close();
            }
        };
    }

    private static Ops simple(SimpleQueue<Integer> q) {
        return new Ops() {
            public void put(int item) throws InterruptedException {
                q.put(item);
            }

            public int get() throws InterruptedException {
                return q.get();
            }

            public void close() {
                q.close();
            }
        };
    }
}
