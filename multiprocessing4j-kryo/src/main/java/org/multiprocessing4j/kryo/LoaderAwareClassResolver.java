package org.multiprocessing4j.kryo;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;

/**
 * Kryo's class resolver, made safe to reuse across class loaders and made to honour the JVM-wide
 * serialization filter.
 *
 * <p>Kryo caches class names it has resolved, for the life of the {@code Kryo} instance and whatever
 * its class loader: {@link #useLoader} clears that cache whenever a read asks for a different loader, so
 * a pooled instance never hands out a class from the previous caller's loader.
 *
 * <p>Every class a message names is checked against {@link ObjectInputFilter.Config#getSerialFilter()}
 * (set with {@code -Djdk.serialFilter=...} or programmatically), the same filter that JDK serialization
 * applies; a {@code REJECTED} class fails the read. Classes Kryo knows by registration id (primitives,
 * {@code String}, the wrapper types) are not checked. Confined to the thread that holds its Kryo.
 */
final class LoaderAwareClassResolver extends DefaultClassResolver {

    /** Points Kryo at {@code loader}, forgetting names resolved through another loader. */
    void useLoader(ClassLoader loader) {
        if (kryo.getClassLoader() != loader) {
            kryo.setClassLoader(loader);
            if (nameToClass != null) {
                nameToClass.clear();
            }
        }
    }

    @Override
    protected Registration readName(Input input) {
        Registration registration = super.readName(input);
        ObjectInputFilter filter = ObjectInputFilter.Config.getSerialFilter();
        if (filter != null && filter.checkInput(new ClassOnly(registration.getType())) == ObjectInputFilter.Status.REJECTED) {
            throw new KryoException(new InvalidClassException(registration.getType().getName(),
                    "rejected by the JVM-wide serialization filter " + filter));
        }
        return registration;
    }

    /** What the filter is asked about a class named in a Kryo stream: the class alone, no sizes. */
    private record ClassOnly(Class<?> serialClass) implements ObjectInputFilter.FilterInfo {
        @Override
        public long arrayLength() {
            return -1;
        }

        @Override
        public long depth() {
            return 0;
        }

        @Override
        public long references() {
            return 0;
        }

        @Override
        public long streamBytes() {
            return 0;
        }
    }
}
