package org.multiprocessing4j.bench.codec;

/**
 * Child-JVM main that measures a codec's first-use cost: from just before the codec is constructed
 * until the first round trip of one payload has completed, in a JVM that has done nothing else. The
 * payload is built (and, for the lambda, its call site bootstrapped) before the clock starts, so only
 * the codec's cost is counted. Prints one line, {@code FIRST_USE_NANOS <n>}, then checks the copy.
 *
 * <p>Usage: {@code java -cp <bench classpath> org.multiprocessing4j.bench.codec.FirstUse <codec> <payload>}.
 */
public final class FirstUse {

    /** The line prefix the parent looks for. */
    static final String PREFIX = "FIRST_USE_NANOS ";

    private FirstUse() {
    }

    /** Runs one measurement; exits non-zero (with the failure on stderr) if the round trip fails. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: FirstUse <jdk|kryo|mp4j-kryo|fory> <payload label>");
        }
        Payload payload = Payload.of(args[1]);
        Object original = payload.build();

        long start = System.nanoTime();
        Codec codec = Codec.create(args[0]);
        Object copy = codec.fromBytes(codec.toBytes(original));
        long elapsed = System.nanoTime() - start;

        System.out.println(PREFIX + elapsed);
        payload.check(original, copy);
    }
}
