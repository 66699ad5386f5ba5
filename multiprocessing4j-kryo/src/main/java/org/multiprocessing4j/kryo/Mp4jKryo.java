package org.multiprocessing4j.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.SerializerFactory;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import java.io.Serializable;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.IdentityHashMap;
import java.util.Set;
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

    /**
     * JDK value classes whose Kryo serializer keeps all of their state: these exact classes only (Kryo would
     * pick the same serializer for a subclass, which has state of its own). Every other {@code Serializable}
     * JDK class Kryo has a serializer of its own for goes by JDK serialization: Kryo's serializers of
     * {@code Locale} (script, extensions), {@code ZonedDateTime} (the offset in an overlap),
     * {@code TimeZone} (a custom zone), {@code Calendar} (other calendar systems) and of {@code Date}'s
     * subclasses lose part of them.
     */
    private static final Set<Class<?>> LOSSLESS_VALUES = Set.of(
            Boolean.class, Byte.class, Character.class, Short.class, Integer.class, Long.class, Float.class,
            Double.class, String.class, java.math.BigInteger.class, java.math.BigDecimal.class,
            StringBuilder.class, StringBuffer.class, Class.class, java.util.Date.class, java.util.Currency.class,
            java.util.UUID.class, java.net.URI.class, java.util.BitSet.class, java.util.regex.Pattern.class,
            java.util.concurrent.atomic.AtomicBoolean.class, java.util.concurrent.atomic.AtomicInteger.class,
            java.util.concurrent.atomic.AtomicLong.class, java.util.concurrent.atomic.AtomicReference.class,
            java.time.Duration.class, java.time.Instant.class, java.time.LocalDate.class, java.time.LocalTime.class,
            java.time.LocalDateTime.class, java.time.OffsetTime.class, java.time.OffsetDateTime.class,
            java.time.ZoneOffset.class, java.time.Year.class, java.time.YearMonth.class, java.time.MonthDay.class,
            java.time.Period.class);

    /** Immutable values among them, whose identity nobody relies on: the JDK path and Kryo may each write one. */
    private static final Set<Class<?>> IMMUTABLE_VALUES = Set.of(
            Boolean.class, Byte.class, Character.class, Short.class, Integer.class, Long.class, Float.class,
            Double.class, String.class, java.math.BigInteger.class, java.math.BigDecimal.class, Class.class,
            java.util.Currency.class, java.util.UUID.class, java.net.URI.class, java.util.regex.Pattern.class,
            java.time.Duration.class, java.time.Instant.class, java.time.LocalDate.class, java.time.LocalTime.class,
            java.time.LocalDateTime.class, java.time.OffsetTime.class, java.time.OffsetDateTime.class,
            java.time.ZoneOffset.class, java.time.Year.class, java.time.YearMonth.class, java.time.MonthDay.class,
            java.time.Period.class);

    private final LoaderAwareClassResolver classResolver;
    private final SerializingInstantiatorStrategy serializableInstantiation;
    /** The one JDK-serialization path of this Kryo: every part of a graph it writes shares one stream. */
    private final GraphJavaSerializer jdk = new GraphJavaSerializer();
    /** Objects the JDK path wrote in the graph being written, each once (see {@link #writtenByJdk}). */
    private final IdentityHashMap<Object, Boolean> writtenByJdk = new IdentityHashMap<>();
    /** An object of the graph being written that both Kryo and the JDK path wrote; null while none. */
    private Object shared;
    /** The object Kryo is handing to the JDK path now ({@link GraphJavaSerializer}), or null. */
    Object handedToJdk;
    /**
     * Objects whose serializer is writing the values they are created from ({@link #enterContents}): Kryo
     * creates them only after reading those values, so a reference back to one from inside them would
     * arrive as null.
     */
    private final IdentityHashMap<Object, Boolean> openContents = new IdentityHashMap<>();
    /** An object of the graph being written that is reachable from its own contents; null while none. */
    private Object cyclic;

    Mp4jKryo() {
        this(new LoaderAwareClassResolver(), new WatchedReferences());
    }

    private Mp4jKryo(LoaderAwareClassResolver classResolver, WatchedReferences references) {
        super(classResolver, references);
        references.kryo = this;
        this.classResolver = classResolver;
        setRegistrationRequired(false);
        setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        // NOTE: Kryo skips synthetic fields by default: an anonymous or inner class then arrived without its
        // captured values (val$x) and its enclosing instance (this$0), as null and 0, silently; JDK
        // serialization writes them, and so must this codec
        SerializerFactory.FieldSerializerFactory fields = new SerializerFactory.FieldSerializerFactory();
        fields.getConfig().setIgnoreSyntheticFields(false);
        setDefaultSerializer(fields);
        serializableInstantiation = new SerializingInstantiatorStrategy();
        register(ClosureSerializer.Closure.class, new LambdaSerializer()); // Kryo routes every lambda class here
        register(WholeGraph.class, new JavaSerializer()); // NOTE: a plain stream: a whole graph watches nothing
        register(JdkProxy.class, jdk);
    }

    /**
     * A dynamic proxy (a manager's proxy) goes by JDK serialization under one registration: its generated class
     * ({@code jdk.proxy2.$Proxy19}) exists in no other JVM, while JDK serialization names its interfaces and
     * lets the handler replace itself (a manager proxy travels as a handle).
     */
    @Override
    @SuppressWarnings("rawtypes") // Kryo declares this method with a raw type
    public Registration getRegistration(Class type) {
        if (type != null && Proxy.isProxyClass(type)) {
            return super.getRegistration(JdkProxy.class);
        }
        return super.getRegistration(type);
    }

    /** The registration every dynamic proxy class is written under ({@link #getRegistration}). */
    static final class JdkProxy {
        private JdkProxy() {
        }
    }

    /**
     * Called by the JDK path for each object it writes: notes an object Kryo wrote before (a cycle or a
     * reference through that part), and remembers the others for {@link WatchedReferences}.
     */
    void writtenByJdk(Object object) {
        if (object == handedToJdk || !identityMatters(object)) {
            return; // NOTE: Kryo registered the object it hands over, and refers to it by that registration
        }
        if (shared == null && getReferenceResolver().getWrittenId(object) != -1) {
            shared = object;
        }
        writtenByJdk.put(object, Boolean.TRUE);
    }

    /**
     * The object of the graph just written that went both by Kryo and by the JDK path (which would arrive
     * as two objects), or null; cleared for the next graph.
     */
    Object takeShared() {
        Object s = shared;
        shared = null;
        return s;
    }

    /**
     * The object of the graph just written that is reachable from the values it is created from (see
     * {@link #enterContents}), which Kryo would read back as null, or null; cleared for the next graph.
     */
    Object takeCyclic() {
        Object c = cyclic;
        cyclic = null;
        return c;
    }

    /**
     * Called by a serializer that creates its object only after reading {@code values} it is about to
     * write ({@link EntrySerializer}, {@link LambdaSerializer}): a reference back to {@code object} from
     * inside them would be read before the object exists, as null. Until {@link #leaveContents}, such a
     * reference is noted ({@link #takeCyclic}) and the graph goes whole by JDK serialization, which keeps
     * it; for a lambda, which JDK serialization cannot rebuild either, the write fails at once.
     */
    void enterContents(Object object) {
        openContents.put(object, Boolean.TRUE);
    }

    /** Ends {@link #enterContents} for {@code object}. */
    void leaveContents(Object object) {
        openContents.remove(object);
    }

    /** A reference to {@code object} is being written: notes one back to an object whose contents are open. */
    private void referenced(Object object) {
        if (openContents.isEmpty() || !openContents.containsKey(object)) {
            return;
        }
        if (getRegistration(object.getClass()).getSerializer() instanceof LambdaSerializer) {
            throw new com.esotericsoftware.kryo.KryoException("lambda " + object.getClass().getName()
                    + " is reachable from its own captured values; it cannot be sent, as it is rebuilt only after them");
        }
        if (cyclic == null) {
            cyclic = object;
        }
    }

    @Override
    public void reset() {
        super.reset();
        writtenByJdk.clear();
        openContents.clear();
    }

    /**
     * Whether a second copy of {@code object} could be told from the first: not for immutable values whose
     * identity nobody relies on (strings, boxes, enums, classes, the JDK values above).
     */
    private static boolean identityMatters(Object object) {
        return !(object instanceof Enum<?> || IMMUTABLE_VALUES.contains(object.getClass()));
    }

    /** Kryo's references, also noting an object Kryo writes that the JDK path wrote before. */
    private static final class WatchedReferences extends MapReferenceResolver {
        Mp4jKryo kryo;

        @Override
        public int getWrittenId(Object object) {
            int id = super.getWrittenId(object);
            if (id != -1) {
                kryo.referenced(object);
            }
            return id;
        }

        @Override
        public int addWrittenObject(Object object) {
            // NOTE: unless Kryo hands it to the JDK path too, whose stream then writes a handle to it
            if (kryo.shared == null && !kryo.writtenByJdk.isEmpty() && kryo.writtenByJdk.containsKey(object)
                    && kryo.getRegistration(object.getClass()).getSerializer() != kryo.jdk) {
                kryo.shared = object;
            }
            return super.addWrittenObject(object);
        }
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
        if (type == java.util.AbstractMap.SimpleImmutableEntry.class || type == java.util.AbstractMap.SimpleEntry.class) {
            return new EntrySerializer(type == java.util.AbstractMap.SimpleImmutableEntry.class);
        }
        if (Throwable.class.isAssignableFrom(type)) {
            return jdk;
        }
        boolean serializable = Serializable.class.isAssignableFrom(type) && !type.isEnum() && !type.isArray();
        Serializer<?> chosen;
        try {
            chosen = super.getDefaultSerializer(type);
        } catch (RuntimeException e) { // a field serializer that could not make the fields accessible
            if (serializable) {
                return jdk;
            }
            throw e;
        }
        if (!serializable) {
            return isUnbuildableJdkCollection(type, chosen) ? new Refused(type) : chosen;
        }
        if (!JdkClasses.hasJdkPart(type)) {
            return SerializationHooks.present(type) ? jdk : chosen;
        }
        if (chosen instanceof FieldSerializer) {
            return jdk;
        }
        if (chosen instanceof CollectionSerializer || chosen instanceof MapSerializer) {
            return rebuiltSafely(type, chosen) ? chosen : jdk;
        }
        // NOTE: one of Kryo's serializers for a JDK type: kept where it loses nothing
        return LOSSLESS_VALUES.contains(type) || isJdkEnumSetOrZone(type) ? chosen : jdk;
    }

    /**
     * A JDK collection or map that is not {@code Serializable} and that Kryo could write item by item but not
     * make again: not public, or without a public no-argument constructor, it is a view of another collection
     * ({@code HashMap.keySet()}, {@code values()}, {@code ArrayList.subList()}), which arrived unreadable.
     */
    private static boolean isUnbuildableJdkCollection(Class<?> type, Serializer<?> chosen) {
        return JdkClasses.isJdk(type) && (chosen instanceof CollectionSerializer || chosen instanceof MapSerializer)
                && !(Modifier.isPublic(type.getModifiers()) && hasPublicNoArgConstructor(type));
    }

    /** Refuses to write a class it is registered for ({@link #isUnbuildableJdkCollection}), saying why. */
    private static final class Refused extends Serializer<Object> {
        private final Class<?> type;

        Refused(Class<?> type) {
            this.type = type;
        }

        @Override
        public void write(Kryo kryo, com.esotericsoftware.kryo.io.Output output, Object object) {
            throw new com.esotericsoftware.kryo.KryoException(type.getName() + " is neither Serializable nor a JDK"
                    + " collection that can be made again from its items (a view of another collection?): copy it into"
                    + " a new ArrayList, HashSet or HashMap to send it");
        }

        @Override
        public Object read(Kryo kryo, com.esotericsoftware.kryo.io.Input input, Class<?> readType) {
            throw new com.esotericsoftware.kryo.KryoException(type.getName() + " cannot be read: it is never written");
        }
    }

    /** The JDK's own EnumSet classes and ZoneId's (Kryo writes the elements and the id: all of their state). */
    private static boolean isJdkEnumSetOrZone(Class<?> type) {
        return JdkClasses.isJdk(type) && (java.util.EnumSet.class.isAssignableFrom(type) || java.time.ZoneId.class.isAssignableFrom(type));
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
