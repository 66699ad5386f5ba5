package org.multiprocessing4j.bench.codec;

import org.apache.fory.Fory;

/**
 * Apache Fory in Java native mode ({@code withXlang(false)}: JDK types, {@code writeReplace}/{@code
 * readResolve}, serializable lambdas), no registration required, reference tracking on, and the
 * schema-consistent (non-compatible) mode: parent and child JVMs run the same classes, as with Kryo's
 * field serializer. One {@link Fory}: this codec is single-threaded. Fory's defaults otherwise
 * (JIT code generation, compiled synchronously on first use of a class).
 */
final class ForyCodec implements Codec {

    private final Fory fory = Fory.builder()
            .withXlang(false)
            .requireClassRegistration(false)
            .withRefTracking(true)
            .withCompatible(false)
            .build();

    @Override
    public String name() {
        return "fory";
    }

    @Override
    public byte[] toBytes(Object object) {
        return fory.serialize(object);
    }

    @Override
    public Object fromBytes(byte[] data) {
        return fory.deserialize(data);
    }
}
