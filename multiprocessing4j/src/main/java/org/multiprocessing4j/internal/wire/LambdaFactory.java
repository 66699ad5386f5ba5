package org.multiprocessing4j.internal.wire;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.SerializedLambda;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The decoder's side of the lambda fast path: turns a shape (see {@link LambdaShape}) and captured
 * arguments back into a lambda, through the capturing class's compiler-generated
 * {@code $deserializeLambda$(SerializedLambda)}, exactly as JDK serialization's
 * {@code SerializedLambda.readResolve} does. That method also checks that the shape names a serializable
 * lambda the class really declares, so a forged shape fails instead of making an arbitrary lambda.
 *
 * <p>Caches, so that a steady stream of one lambda costs no string decoding and no class lookup:
 * <ul>
 *   <li>shape bytes → parsed {@link Form}, per JVM, bounded ({@value #MAX_FORMS} entries; cleared when
 *       full, so a peer that sends endless distinct shapes costs memory only up to that bound). A form
 *       holds strings, and its capturing class for the last loader only through weak references, so the
 *       cache keeps no class loader alive;</li>
 *   <li>capturing class → its accessible {@code $deserializeLambda$}, in a {@link ClassValue}.</li>
 * </ul>
 * If {@code $deserializeLambda$} cannot be made accessible here (a named module that does not open the
 * package to this module), the lambda is rebuilt through JDK serialization of its {@link SerializedLambda}
 * instead ({@code java.base} may call it), which needs its captured arguments to be {@code Serializable}.
 * The encoder refuses such lambdas up front, so this is a safety net for a child whose module layout
 * differs from its parent's. Thread-safe.
 */
final class LambdaFactory {
    static final int MAX_FORMS = 4096;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final ConcurrentHashMap<ShapeKey, Form> FORMS = new ConcurrentHashMap<>();

    /** Per capturing class: its {@code $deserializeLambda$} if declared, made accessible if we may. */
    private static final ClassValue<Deserializer> DESERIALIZERS = new ClassValue<>() {
        @Override
        protected Deserializer computeValue(Class<?> capturingClass) {
            Method m;
            try {
                m = capturingClass.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
            } catch (NoSuchMethodException | LinkageError e) {
                return new Deserializer(false, null);
            }
            if (!Modifier.isStatic(m.getModifiers())) {
                return new Deserializer(false, null);
            }
            try {
                m.setAccessible(true);
                return new Deserializer(true, m);
            } catch (RuntimeException e) { // InaccessibleObjectException: a named module that does not open the package
                return new Deserializer(true, null);
            }
        }
    };

    /** {@code accessible} is {@code null} when the method is declared but this module may not call it. */
    private record Deserializer(boolean declared, Method accessible) {
    }

    private LambdaFactory() {
    }

    /** {@code capturingClass}'s accessible {@code $deserializeLambda$}, or {@code null} if it has none or we may not call it. */
    static Method deserializerOf(Class<?> capturingClass) {
        return DESERIALIZERS.get(capturingClass).accessible();
    }

    /** How many parsed shapes the cache holds now (for tests of its bound). */
    static int cachedForms() {
        return FORMS.size();
    }

    /** The parsed shape in {@code data[offset, offset + length)}, from the cache when seen before. */
    static Form form(byte[] data, int offset, int length) throws IOException {
        ShapeKey probe = new ShapeKey(data, offset, length);
        Form form = FORMS.get(probe);
        if (form == null) {
            form = Form.parse(data, offset, length);
            if (FORMS.size() >= MAX_FORMS) {
                FORMS.clear();
            }
            FORMS.putIfAbsent(probe.copy(), form);
        }
        return form;
    }

    /** Makes the lambda that {@code form} describes, capturing {@code args}, with classes from {@code loader}. */
    static Object create(Form form, Object[] args, ClassLoader loader) throws IOException, ClassNotFoundException {
        Class<?> capturing = form.capturingClass(loader);
        SerializedLambda serialized = new SerializedLambda(capturing, form.functionalInterfaceClass,
                form.functionalInterfaceMethodName, form.functionalInterfaceMethodSignature, form.implMethodKind,
                form.implClass, form.implMethodName, form.implMethodSignature, form.instantiatedMethodType, args);
        Deserializer d = DESERIALIZERS.get(capturing);
        Method deserializer = d.accessible();
        if (deserializer == null) {
            if (!d.declared()) {
                throw invalid(form, new NoSuchMethodException(capturing.getName() + ".$deserializeLambda$"));
            }
            return throughJdkSerialization(serialized, form, loader);
        }
        try {
            return deserializer.invoke(null, serialized);
        } catch (InvocationTargetException e) {
            throw invalid(form, e.getCause());
        } catch (IllegalAccessException e) {
            throw invalid(form, e);
        }
    }

    private static Object throughJdkSerialization(SerializedLambda serialized, Form form, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        JdkSerializer jdk = new JdkSerializer();
        byte[] bytes;
        try {
            bytes = jdk.toBytes(serialized);
        } catch (IOException e) {
            throw invalid(form, e);
        }
        return jdk.fromBytes(bytes, 0, bytes.length, loader);
    }

    private static InvalidObjectException invalid(Form form, Throwable cause) {
        InvalidObjectException e = new InvalidObjectException("cannot rebuild lambda " + form.implClass + "."
                + form.implMethodName + " captured in " + form.capturingClassName + ": " + cause);
        e.initCause(cause);
        return e;
    }

    /** One parsed shape: the {@link SerializedLambda} fields other than the captured arguments. */
    static final class Form {
        final String capturingClassName;
        final String functionalInterfaceClass;
        final String functionalInterfaceMethodName;
        final String functionalInterfaceMethodSignature;
        final int implMethodKind;
        final String implClass;
        final String implMethodName;
        final String implMethodSignature;
        final String instantiatedMethodType;
        /** The capturing class as the last loader resolved it; weak, so the cache pins no loader. */
        private volatile Resolved resolved;

        private Form(int implMethodKind, String[] s) {
            this.implMethodKind = implMethodKind;
            this.capturingClassName = s[0].replace('/', '.');
            this.functionalInterfaceClass = s[1];
            this.functionalInterfaceMethodName = s[2];
            this.functionalInterfaceMethodSignature = s[3];
            this.implClass = s[4];
            this.implMethodName = s[5];
            this.implMethodSignature = s[6];
            this.instantiatedMethodType = s[7];
        }

        static Form parse(byte[] data, int offset, int length) throws IOException {
            WireInput in = new WireInput(data, offset, length);
            int kind = in.readByte() & 0xff;
            String[] strings = new String[8];
            for (int i = 0; i < strings.length; i++) {
                int n = (in.readByte() & 0xff) | (in.readByte() & 0xff) << 8;
                strings[i] = in.readUtf8(n);
            }
            in.expectEnd();
            return new Form(kind, strings);
        }

        Class<?> capturingClass(ClassLoader loader) throws ClassNotFoundException {
            Resolved r = resolved;
            if (r != null && r.loader.get() == loader) {
                Class<?> c = r.capturingClass.get();
                if (c != null) {
                    return c;
                }
            }
            Class<?> c = Class.forName(capturingClassName, false, loader);
            resolved = new Resolved(new WeakReference<>(loader), new WeakReference<>(c));
            return c;
        }
    }

    private record Resolved(WeakReference<ClassLoader> loader, WeakReference<Class<?>> capturingClass) {
    }

    /** Shape bytes as a map key: a range of a message when probing, a private copy when stored. */
    private static final class ShapeKey {
        private final byte[] bytes;
        private final int offset;
        private final int length;
        private final int hash;

        ShapeKey(byte[] bytes, int offset, int length) {
            this(bytes, offset, length, hash(bytes, offset, length));
        }

        private ShapeKey(byte[] bytes, int offset, int length, int hash) {
            this.bytes = bytes;
            this.offset = offset;
            this.length = length;
            this.hash = hash;
        }

        ShapeKey copy() {
            return new ShapeKey(Arrays.copyOfRange(bytes, offset, offset + length), 0, length, hash);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ShapeKey k && k.hash == hash && k.length == length
                    && Arrays.equals(bytes, offset, offset + length, k.bytes, k.offset, k.offset + k.length);
        }

        /** Eight bytes per step: a shape is a few hundred bytes and is hashed on every decode. */
        private static int hash(byte[] d, int offset, int length) {
            long h = length;
            int i = 0;
            for (; i + 8 <= length; i += 8) {
                h = (h ^ (long) LONG.get(d, offset + i)) * 0x9E3779B97F4A7C15L;
            }
            for (; i < length; i++) {
                h = (h ^ d[offset + i]) * 0x100000001B3L;
            }
            return (int) (h ^ (h >>> 32));
        }
    }
}
