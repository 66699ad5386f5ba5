package org.multiprocessing4j.bench.codec;

/**
 * One codec under test, configured as multiprocessing4j would use it. Instances are single-threaded:
 * the benchmark drives each one from one thread, so the codecs may reuse buffers between calls.
 */
interface Codec {

    /** Short name used in the table and the JSON lines: {@code jdk}, {@code kryo}, {@code mp4j-kryo}, {@code fory}. */
    String name();

    /** Encodes {@code object} into a fresh array the caller owns. */
    byte[] toBytes(Object object) throws Exception;

    /** Decodes what {@link #toBytes} wrote. */
    Object fromBytes(byte[] data) throws Exception;

    /** Makes a new codec by name; each call pays the codec's construction cost again. */
    static Codec create(String name) {
        return switch (name) {
            case "jdk" -> new JdkCodec();
            case "kryo" -> new KryoCodec();
            case "mp4j-kryo" -> new Mp4jKryoCodec();
            case "fory" -> new ForyCodec();
            default -> throw new IllegalArgumentException("unknown codec: " + name + " (jdk, kryo, mp4j-kryo, fory)");
        };
    }
}
