package org.multiprocessing4j.kryo;

import java.io.Externalizable;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Objects;

/**
 * Whether a {@code Serializable} class takes part in its own serialization, by the rules JDK
 * serialization applies ({@code java.io.ObjectStreamClass}): a private {@code writeObject},
 * {@code readObject} or {@code readObjectNoData} declared by the class or a serializable superclass; a
 * {@code writeReplace} or {@code readResolve} the class declares or inherits (public, protected, or
 * package-private from its own package); or {@code Externalizable}. Kryo's field-by-field copy would
 * skip all of these, so {@link Mp4jKryo} sends such a class by JDK serialization. Stateless; answers are
 * cached per class.
 */
final class SerializationHooks {

    private static final ClassValue<Boolean> DECLARES = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return compute(type);
        }
    };

    private SerializationHooks() {
    }

    /** Whether JDK serialization would call methods of {@code type} (which must be Serializable). */
    static boolean present(Class<?> type) {
        return DECLARES.get(type);
    }

    private static boolean compute(Class<?> type) {
        if (Externalizable.class.isAssignableFrom(type)) {
            return true;
        }
        for (Class<?> c = type; c != null && Serializable.class.isAssignableFrom(c); c = c.getSuperclass()) {
            if (privateMethod(c, "writeObject", ObjectOutputStream.class)
                    || privateMethod(c, "readObject", ObjectInputStream.class)
                    || privateMethod(c, "readObjectNoData")) {
                return true;
            }
        }
        return inheritable(type, "writeReplace") || inheritable(type, "readResolve");
    }

    private static boolean privateMethod(Class<?> c, String name, Class<?>... parameters) {
        try {
            Method m = c.getDeclaredMethod(name, parameters);
            int mods = m.getModifiers();
            return m.getReturnType() == void.class && Modifier.isPrivate(mods) && !Modifier.isStatic(mods);
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** A no-argument, non-static method returning {@code Object} that {@code type} declares or may inherit. */
    private static boolean inheritable(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            Method m;
            try {
                m = c.getDeclaredMethod(name);
            } catch (NoSuchMethodException e) {
                continue;
            }
            int mods = m.getModifiers();
            if (m.getReturnType() != Object.class || Modifier.isStatic(mods) || Modifier.isAbstract(mods)) {
                return false;
            }
            if (Modifier.isPublic(mods) || Modifier.isProtected(mods)) {
                return true;
            }
            if (Modifier.isPrivate(mods)) {
                return c == type;
            }
            return c.getClassLoader() == type.getClassLoader()
                    && Objects.equals(c.getPackageName(), type.getPackageName());
        }
        return false;
    }
}
