package org.multiprocessing4j.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/** Which classes {@link KryoSerializer#fromBytes} resolves, and through which loader. */
class KryoSerializerClassLoaderTest {

    /** Refused by the JVM-wide filter the last test installs; no other test uses it. */
    static final class Forbidden {
    }

    /** Defines {@link Isolated} itself (a top-level class: a nested one could not reach its nest host), so its copy of the class differs from the application's. */
    static final class ChildFirstLoader extends ClassLoader {
        ChildFirstLoader(ClassLoader parent) {
            super("child-first", parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(Isolated.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        byte[] bytes = in.readAllBytes();
                        c = defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return c;
            }
        }
    }

    private final KryoSerializer codec = new KryoSerializer();

    @Test
    void resolvesClassesThroughTheGivenLoaderEvenWhenItsKryoWasUsedWithAnother() throws Exception {
        ClassLoader app = getClass().getClassLoader();
        ClassLoader child = new ChildFirstLoader(app);
        byte[] bytes = codec.toBytes(new Isolated());

        Object fromChild = codec.fromBytes(bytes, 0, bytes.length, child);
        Object fromApp = codec.fromBytes(bytes, 0, bytes.length, app); // same thread: same pooled Kryo

        assertSame(child, fromChild.getClass().getClassLoader());
        assertNotSame(Isolated.class, fromChild.getClass());
        assertSame(Isolated.class, fromApp.getClass());
        assertEquals(7, ((Isolated) fromApp).value);
    }

    @Test
    void refusesAClassTheJvmWideSerialFilterRejects() throws Exception {
        byte[] bytes = codec.toBytes(new Forbidden());
        if (ObjectInputFilter.Config.getSerialFilter() == null) {
            ObjectInputFilter.Config.setSerialFilter(
                    ObjectInputFilter.Config.createFilter("!" + Forbidden.class.getName()));
        }
        assertThrows(InvalidClassException.class,
                () -> codec.fromBytes(bytes, 0, bytes.length, getClass().getClassLoader()));
    }
}
