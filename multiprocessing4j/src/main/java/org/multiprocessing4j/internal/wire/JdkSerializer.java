package org.multiprocessing4j.internal.wire;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.util.Map;
import org.multiprocessing4j.Serializer;

/**
 * JDK serialization: the default codec, always available, no dependencies. Needs
 * {@link java.io.Serializable} classes.
 *
 * <p>Reading applies an {@link ObjectInputFilter} that bounds graph depth and array lengths, so a
 * corrupt or hostile stream cannot make us allocate without limit; classes are not restricted (after the
 * authkey handshake the peer is trusted, as with pickle). Thread-safe: no shared state.
 */
public final class JdkSerializer implements Serializer {
    private static final ObjectInputFilter LIMITS =
            ObjectInputFilter.Config.createFilter("maxdepth=1000;maxarray=2147483639;maxrefs=100000000");

    @Override
    public byte[] toBytes(Object object) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        return bytes.toByteArray();
    }

    @Override
    public Object fromBytes(byte[] data, int offset, int length, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(data, offset, length), loader)) {
            in.setObjectInputFilter(LIMITS);
            return in.readObject();
        }
    }

    @Override
    public void warmUp() {
        try {
            String word = "warm-up";
            Runnable lambda = (Runnable & Serializable) () -> word.hashCode();
            for (Object probe : new Object[] {new Probe(42, word), lambda, new IllegalStateException(word)}) {
                byte[] bytes = toBytes(probe);
                fromBytes(bytes, 0, bytes.length, JdkSerializer.class.getClassLoader());
            }
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("JDK serialization failed its warm-up", e);
        }
    }

    /** A small class whose round trip (with a lambda's and an exception's) loads the serialization machinery. */
    private record Probe(int value, String text) implements Serializable {
    }

    private static final Map<String, Class<?>> PRIMITIVES = Map.of(
            "boolean", boolean.class, "byte", byte.class, "char", char.class, "short", short.class,
            "int", int.class, "long", long.class, "float", float.class, "double", double.class, "void", void.class);

    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                Class<?> primitive = PRIMITIVES.get(desc.getName());
                if (primitive == null) {
                    throw e; // never fall back to another loader: the caller chose this one
                }
                return primitive;
            }
        }
    }
}
