package org.multiprocessing4j.internal.wire;

import java.lang.reflect.InvocationTargetException;
import org.multiprocessing4j.Serializer;

/** Makes {@link Serializer}s from class names, as a child JVM must. */
public final class Serializers {
    private Serializers() {
    }

    /** Instantiates {@code type} through its public no-argument constructor. */
    public static Serializer create(Class<? extends Serializer> type) {
        try {
            return type.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("Serializer " + type.getName() + " has no public no-argument constructor", e);
        } catch (InstantiationException | IllegalAccessException e) {
            throw new IllegalArgumentException("Serializer " + type.getName() + " cannot be instantiated", e);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("Serializer " + type.getName() + " threw from its constructor", e.getCause());
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            // NOTE: its static initializer threw (the first time), or failed before (every later time)
            throw new IllegalArgumentException("Serializer " + type.getName() + " cannot be initialized: " + e, e);
        }
    }

    /** Loads and instantiates the serializer named {@code className} with {@code loader}. */
    public static Serializer create(String className, ClassLoader loader) {
        try {
            return create(Class.forName(className, true, loader).asSubclass(Serializer.class));
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new IllegalArgumentException("Serializer class " + className + " cannot be initialized: " + e, e);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("Serializer class " + className + " is not on this JVM's class path", e);
        } catch (ClassCastException e) {
            throw new IllegalArgumentException(className + " does not implement " + Serializer.class.getName(), e);
        }
    }
}
