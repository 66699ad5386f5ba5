package org.multiprocessing4j.kryo;

/** A class {@link KryoSerializerClassLoaderTest} loads twice: once normally, once through its own loader. */
public final class Isolated {
    public int value = 7;

    /** Kryo creates instances through this constructor. */
    public Isolated() {
    }
}
