package org.multiprocessing4j.internal.pipe;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.multiprocessing4j.internal.wire.Serializers;

/**
 * The default context's codec, for pipe ends: the public {@code Pipe} class installs the source when it
 * is initialized; a child that only decoded a pipe end (and never loaded {@code Pipe}) initializes it on
 * first use here. Thread-safe.
 */
public final class DefaultCodec {
    private static final String INSTALLER = "org.multiprocessing4j.Pipe";
    private static volatile Supplier<ObjectCodec> source;

    private DefaultCodec() {
    }

    /** Sets where the codec comes from (called once, by {@code Pipe}'s static initializer). */
    public static void install(Supplier<ObjectCodec> codecSource) {
        source = codecSource;
    }

    /** The default context's codec, loading {@code Pipe} first if nobody installed the source yet. */
    private static final ConcurrentHashMap<String, ObjectCodec> BY_SERIALIZER =
            new ConcurrentHashMap<>();

    /**
     * The codec of the serializer class named {@code serializer} (made once per JVM, from its name, as a
     * child does), or the default context's codec for {@code null}.
     */
    public static ObjectCodec of(String serializer) {
        if (serializer == null) {
            return get();
        }
        return BY_SERIALIZER.computeIfAbsent(serializer, name -> new ObjectCodec(
                Serializers.create(name, DefaultCodec.class.getClassLoader())));
    }

    public static ObjectCodec get() {
        Supplier<ObjectCodec> s = source;
        if (s == null) {
            try {
                Class.forName(INSTALLER, true, DefaultCodec.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("cannot load " + INSTALLER + " to find the default codec", e);
            }
            s = source;
        }
        return s.get();
    }
}
