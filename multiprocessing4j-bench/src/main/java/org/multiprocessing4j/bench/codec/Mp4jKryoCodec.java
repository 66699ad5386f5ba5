package org.multiprocessing4j.bench.codec;

import org.multiprocessing4j.kryo.KryoSerializer;

/**
 * The codec multiprocessing4j ships for classes that are not {@code Serializable}: {@link KryoSerializer},
 * with its pool of Kryo instances, its lambda serializer and its JDK-serialization fallbacks. Differs from
 * {@link KryoCodec} by the pool round trip on every call and by resolving classes through a given loader.
 */
final class Mp4jKryoCodec implements Codec {

    private final KryoSerializer serializer = new KryoSerializer();
    private final ClassLoader loader = Mp4jKryoCodec.class.getClassLoader();

    @Override
    public String name() {
        return "mp4j-kryo";
    }

    @Override
    public byte[] toBytes(Object object) throws Exception {
        return serializer.toBytes(object);
    }

    @Override
    public Object fromBytes(byte[] data) throws Exception {
        return serializer.fromBytes(data, 0, data.length, loader);
    }
}
