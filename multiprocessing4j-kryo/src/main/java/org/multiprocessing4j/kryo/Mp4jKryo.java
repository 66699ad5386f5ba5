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
 * lambdas by {@link LambdaSerializer}; and classes Kryo cannot take apart faithfully sent by JDK
 * serialization instead (see {@link #getDefaultSerializer}). Every choice depends on the class alone
 * (its package name, its methods), never on what this JVM's module flags open, so all JVMs of a program
 * write and read the same format. Like every {@code Kryo}, confined to one thread at a time.
 */
final class Mp4jKryo extends Kryo {

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
     * A {@code Serializable} class with no JDK part is made as JDK serialization makes it: its own
     * constructors do not run (only the first non-serializable superclass's no-argument one). Kryo's default
     * would call a public no-argument constructor, whose side effects (a {@code Queue}'s creates shared
     * memory) must not happen on the receiving side. A class with a JDK part keeps Kryo's choice (its
     * public no-argument constructor): the JDK superclass's constructor is not reachable, and a JDK
     * collection made without its constructor has no table or lock to add to.
     */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"}) // Kryo declares this method with raw types
    protected org.objenesis.instantiator.ObjectInstantiator newInstantiator(Class type) {
        if (Serializable.class.isAssignableFrom(type) && !type.isArray() && !type.isEnum() && !type.isRecord()
                && !JdkClasses.hasJdkPart(type)) {
            return serializableInstantiation.newInstantiatorOf(type);
        }
        return super.newInstantiator(type);
    }

    /** Resolves classes through {@code loader} from now on. */
    void useLoader(ClassLoader loader) {
        classResolver.useLoader(loader);
    }

    /**
     * Kryo's choice, except where it would fail or lose data; then JDK serialization ({@link JavaSerializer}):
     * <ul>
     *   <li>a {@code Throwable}: its own {@code writeObject} materialises the stack trace, which a
     *       field-by-field copy drops;</li>
     *   <li>a {@code Serializable} class that takes part in its own serialization ({@code writeReplace},
     *       {@code readResolve}, {@code readObject}, {@code writeObject}, {@code Externalizable}: see
     *       {@link SerializationHooks}), which a field-by-field copy would bypass;</li>
     *   <li>a {@code Serializable} class with a JDK part ({@link JdkClasses#hasJdkPart}), when Kryo would
     *       reflect over its fields, or would rebuild it as a collection or map by adding its items to an
     *       empty one and that would lose state: a JDK collection outside
     *       {@link JdkClasses#rebuiltFromItems} (capacity, comparator, defaults), a non-public one (the
     *       unmodifiable and synchronized wrappers), one without a public no-argument constructor, or a
     *       collection of this library (a {@code ShareableList}).</li>
     * </ul>
     */
    @Override
    @SuppressWarnings("rawtypes") // Kryo declares this method with raw types
    public Serializer getDefaultSerializer(Class type) {
        if (Throwable.class.isAssignableFrom(type)) {
            return new JavaSerializer();
        }
        boolean serializable = Serializable.class.isAssignableFrom(type) && !type.isEnum() && !type.isArray();
        Serializer<?> chosen;
        try {
            chosen = super.getDefaultSerializer(type);
        } catch (RuntimeException e) { // a field serializer that could not make the fields accessible
            if (serializable) {
                return new JavaSerializer();
            }
            throw e;
        }
        if (!serializable) {
            return chosen;
        }
        if (!JdkClasses.hasJdkPart(type)) {
            return SerializationHooks.present(type) ? new JavaSerializer() : chosen;
        }
        if (chosen instanceof FieldSerializer) {
            return new JavaSerializer();
        }
        if (chosen instanceof CollectionSerializer || chosen instanceof MapSerializer) {
            return rebuiltSafely(type, chosen) ? chosen : new JavaSerializer();
        }
        return chosen; // one of Kryo's serializers for a JDK value type (java.time, BigDecimal, EnumSet...)
    }

    /** Whether Kryo's {@code chosen} collection or map serializer rebuilds {@code type} without losing state. */
    private static boolean rebuiltSafely(Class<?> type, Serializer<?> chosen) {
        if (!Modifier.isPublic(type.getModifiers()) || isHandle(type)) {
            return false;
        }
        boolean generic = chosen.getClass() == CollectionSerializer.class || chosen.getClass() == MapSerializer.class;
        if (JdkClasses.isJdk(type)) {
            // Kryo's own serializers for TreeMap, TreeSet, PriorityQueue... keep the comparator; the generic
            // ones keep only the items
            return !generic || JdkClasses.rebuiltFromItems(type);
        }
        // an application's subclass of a JDK collection: made with its public no-argument constructor
        // (its own fields are not sent), unless it takes part in its own serialization
        return hasPublicNoArgConstructor(type) && !SerializationHooks.present(type);
    }

    private static boolean hasPublicNoArgConstructor(Class<?> type) {
        try {
            type.getConstructor();
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /**
     * A collection or map of this library (a {@code ShareableList}) is a handle on shared state, not a
     * container of its items: it travels as itself, never rebuilt by adding its items to a new one.
     */
    private static boolean isHandle(Class<?> type) {
        return type.getName().startsWith("org.multiprocessing4j.") && !type.getName().startsWith("org.multiprocessing4j.kryo.");
    }
}
