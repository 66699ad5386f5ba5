package org.multiprocessing4j.bench.codec;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM main that measures one codec in steady state on every payload: encoded size, and the round
 * trip (encode, then decode) as the median nanoseconds per operation of several timed batches. One JVM
 * per codec (as JMH forks), so no codec's JIT profile or heap shapes another's figures; inside it, a
 * warm-up pass over all payloads first, since a library codec meets all of them. Not JMH: no blackhole
 * beyond a field the decoded objects escape to. Good to a few percent on a quiet machine, enough to
 * rank codecs whose costs differ several-fold.
 *
 * <p>Prints {@code FIGURE <codec>/<payload>/<size|roundtrip> <value>} or {@code FAILURE <codec>/<payload>
 * <reason>} per payload. Usage: {@code java -cp <bench classpath> ...codec.SteadyState <codec>}.
 */
public final class SteadyState {

    static final long WARM_UP_PASS_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    static final long WARM_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(600);
    static final long BATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(60);
    static final int BATCHES = 9;

    /** Decoded objects and sizes escape here, so the JIT cannot drop the work. */
    private static Object sink;
    private static long sizeSink;

    private SteadyState() {
    }

    /** Measures the codec named by {@code args[0]} on every {@link Payload}. */
    public static void main(String[] args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: SteadyState <jdk|kryo|mp4j-kryo|fory>");
        }
        Codec codec = Codec.create(args[0]);
        boolean[] usable = new boolean[Payload.values().length];
        for (Payload payload : Payload.values()) {
            String key = codec.name() + "/" + payload.label();
            try {
                Object original = payload.build();
                byte[] bytes = codec.toBytes(original);
                payload.check(original, codec.fromBytes(bytes));
                System.out.println("FIGURE " + key + "/size " + bytes.length);
                warmUp(codec, original, WARM_UP_PASS_NANOS);
                usable[payload.ordinal()] = true;
            } catch (Throwable e) {
                System.out.println("FAILURE " + key + " " + describe(e));
            }
        }
        for (Payload payload : Payload.values()) {
            if (usable[payload.ordinal()]) {
                String key = codec.name() + "/" + payload.label();
                try {
                    System.out.println("FIGURE " + key + "/roundtrip " + roundTripNanos(codec, payload.build()));
                } catch (Throwable e) {
                    System.out.println("FAILURE " + key + " " + describe(e));
                }
            }
        }
    }

    /** Median nanoseconds per round trip of {@code payload} through {@code codec}, after a warm-up. */
    static double roundTripNanos(Codec codec, Object payload) throws Exception {
        long ops = warmUp(codec, payload, WARM_UP_NANOS);
        // Size the batches from the warm code, then time them.
        long perOp = Math.max(1, timeBatch(codec, payload, ops) / ops);
        long batchOps = Math.max(1, BATCH_NANOS / perOp);
        double[] nsPerOp = new double[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            nsPerOp[b] = (double) timeBatch(codec, payload, batchOps) / batchOps;
        }
        Arrays.sort(nsPerOp);
        return nsPerOp[BATCHES / 2];
    }

    /** Runs round trips for {@code nanos}; returns a batch size that takes about {@link #BATCH_NANOS}. */
    private static long warmUp(Codec codec, Object payload, long nanos) throws Exception {
        long ops = 1;
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            if (timeBatch(codec, payload, ops) < BATCH_NANOS) {
                ops *= 2;
            }
        }
        return ops;
    }

    private static long timeBatch(Codec codec, Object payload, long ops) throws Exception {
        Object last = null;
        long size = 0;
        long start = System.nanoTime();
        for (long i = 0; i < ops; i++) {
            byte[] bytes = codec.toBytes(payload);
            size += bytes.length;
            last = codec.fromBytes(bytes);
        }
        long elapsed = System.nanoTime() - start;
        sink = last;
        sizeSink += size;
        return elapsed;
    }

    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage());
        int nl = message.indexOf('\n');
        return root.getClass().getSimpleName() + ": " + (nl < 0 ? message : message.substring(0, nl));
    }
}
