package org.multiprocessing4j.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import java.io.Serializable;
import java.lang.reflect.Modifier;
import org.objenesis.strategy.SerializingInstantiatorStrategy;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * A {@link Kryo} configured for multiprocessing4j's traffic: any class, registered or not; shared and
 * cyclic references kept; objects of classes without a no-arg constructor created by Objenesis; serializable
 * lambdas by {@link LambdaSerializer}; and classes Kryo cannot take apart by reflection sent by JDK
 * serialization instead (see {@link #getDefaultSerializer}). Like every {@code Kryo}, confined to one
 * thread at a time.
 */
final class Mp4jKryo extends Kryo {

    private static final Module KRYO_MODULE = Kryo.class.getModule();

    private final LoaderAwareClassResolver classResolver;
    private final SerializingInstantiatorStrategy serializableInstantiation;

    Mp4jKryo() {
        this(new LoaderAwareClassResolver());
    }

    private Mp4jKryo(LoaderAwareClassResolver classResolver) {
        super(classResolver, new MapReferenceResolver());
        this.classResolver = classResolver;
        setRegistrationRequired(false);
        setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        serializableInstantiation = new SerializingInstantiatorStrategy();
        register(ClosureSerializer.Closure.class, new LambdaSerializer()); // Kryo routes every lambda class here
    }

    /**
     * A {@code Serializable} class is made as JDK serialization makes it: its own constructors do not run
     * (only the first non-serializable superclass's no-argument one). Kryo's default would call a public
     * no-argument constructor, whose side effects (a {@code Queue}'s creates shared memory) must not
     * happen on the receiving side. Other classes keep Kryo's choice.
     */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"}) // Kryo declares this method with raw types
    protected org.objenesis.instantiator.ObjectInstantiator newInstantiator(Class type) {
        if (Serializable.class.isAssignableFrom(type) && !type.isArray() && !type.isEnum() && !type.isRecord()) {
            return serializableInstantiation.newInstantiatorOf(type);
        }
        return super.newInstantiator(type);
    }

    /** Resolves classes through {@code loader} from now on. */
    void useLoader(ClassLoader loader) {
        classResolver.useLoader(loader);
    }

    /**
     * Kryo's choice, except where it would fail or lose data. A {@code Throwable} goes by JDK serialization:
     * its own {@code writeObject} materialises the stack trace, which a field-by-field copy drops. So does a
     * {@code Serializable} class whose package is closed to Kryo (the JDK's internals on JDK 16+) when Kryo
     * would fall back to reflecting over its fields, or would rebuild a non-public collection or map (the
     * unmodifiable and synchronized wrappers, and this library's shared collections) by calling
     * {@code add}/{@code put} on it.
     */
    @Override
    @SuppressWarnings("rawtypes") // Kryo declares this method with raw types
    public Serializer getDefaultSerializer(Class type) {
        if (Throwable.class.isAssignableFrom(type)) {
            return new JavaSerializer();
        }
        boolean jdkSerializable = Serializable.class.isAssignableFrom(type) && !openToKryo(type);
        Serializer<?> chosen;
        try {
            chosen = super.getDefaultSerializer(type);
        } catch (RuntimeException e) { // a field serializer that could not make the fields accessible
            if (jdkSerializable) {
                return new JavaSerializer();
            }
            throw e;
        }
        if (!jdkSerializable) {
            return chosen;
        }
        boolean rebuiltByAdding = chosen instanceof CollectionSerializer || chosen instanceof MapSerializer;
        if (chosen instanceof FieldSerializer || (rebuiltByAdding && (!Modifier.isPublic(type.getModifiers()) || isHandle(type)))) {
            return new JavaSerializer();
        }
        return chosen;
    }

    /**
     * A collection or map of this library (a {@code ShareableList}) is a handle on shared state, not a
     * container of its items: it travels as itself, never rebuilt by adding its items to a new one.
     */
    private static boolean isHandle(Class<?> type) {
        return type.getName().startsWith("org.multiprocessing4j.") && !type.getName().startsWith("org.multiprocessing4j.kryo.");
    }

    private static boolean openToKryo(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            if (!c.getModule().isOpen(c.getPackageName(), KRYO_MODULE)) {
                return false;
            }
        }
        return true;
    }
}
