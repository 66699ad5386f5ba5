package org.multiprocessing4j.internal.wire;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * The encoder's view of one serializable lambda class: how to take an instance apart (its private
 * {@code writeReplace}, which returns a {@link SerializedLambda}) and the shape of every instance (the
 * {@code SerializedLambda} fields other than the captured arguments), already encoded, so that a message
 * copies those bytes instead of encoding eight strings.
 *
 * <p>{@link #of} answers per class through a {@link ClassValue} (so a class's entry goes when the class
 * does). It answers {@code null} for a class that is not a serializable lambda, and for one that the
 * fast path must leave to the {@link org.multiprocessing4j.Serializer}: a lambda whose {@code writeReplace}
 * this module may not call (a named module that does not open the package), or whose capturing class has
 * no accessible {@code $deserializeLambda$} (not compiled by javac, or a package not opened), since the
 * decoder could not rebuild it. Parent and child run the same class path and module layout, so what is
 * accessible here is accessible there. Thread-safe.
 *
 * <p>Shape bytes: {@code implMethodKind(1)} then eight strings, each {@code length(2) | UTF-8}, in the
 * order capturingClass, functionalInterfaceClass, functionalInterfaceMethodName,
 * functionalInterfaceMethodSignature, implClass, implMethodName, implMethodSignature,
 * instantiatedMethodType (class names in internal form, with {@code '/'}, as {@code SerializedLambda}
 * gives them).
 */
final class LambdaShape {
    /** Longest shape the decoder accepts; real shapes are a few hundred bytes. */
    static final int MAX_SHAPE_BYTES = 64 * 1024;

    private static final ClassValue<LambdaShape> SHAPES = new ClassValue<>() {
        @Override
        protected LambdaShape computeValue(Class<?> type) {
            return type.isHidden() && type.isSynthetic() ? new LambdaShape(writeReplaceOf(type)) : NOT_A_LAMBDA;
        }
    };
    private static final LambdaShape NOT_A_LAMBDA = new LambdaShape(null);

    private final Method writeReplace;
    /** The encoded shape once a first instance was seen; {@link #UNSUPPORTED} if the fast path cannot rebuild it. */
    private volatile byte[] shape; // NOTE: a benign race: every thread computes the same bytes
    private static final byte[] UNSUPPORTED = new byte[0];

    private LambdaShape(Method writeReplace) {
        this.writeReplace = writeReplace;
    }

    /**
     * The shape of lambda class {@code type}, or {@code null} if {@code type} is not a serializable lambda
     * class, or is one that the fast path cannot carry (found when its first instance was encoded).
     */
    static LambdaShape of(Class<?> type) {
        LambdaShape s = SHAPES.get(type);
        return s.writeReplace == null || s.shape == UNSUPPORTED ? null : s;
    }

    /** Room for a few small captured values, beside the shape. */
    static final int CAPTURED_SIZE_HINT = 48;

    /** A first guess at a message's size: the shape, once known, and room for a few small captured values. */
    int encodedSizeHint() {
        byte[] s = shape;
        return (s == null ? 256 : s.length) + CAPTURED_SIZE_HINT;
    }

    /** The instance's serialized form; {@code null} if its {@code writeReplace} gave something else. */
    SerializedLambda serializedForm(Object lambda) {
        try {
            return writeReplace.invoke(lambda) instanceof SerializedLambda form ? form : null;
        } catch (IllegalAccessException | InvocationTargetException e) {
            return null;
        }
    }

    /**
     * The encoded shape, computed from the first instance's {@code form}; {@code null} when the decoder
     * could not rebuild this lambda (then every later call answers {@code null} at once, through {@link #of}).
     */
    byte[] shapeBytes(Object lambda, SerializedLambda form) {
        byte[] s = shape;
        if (s == null) {
            s = computeShape(lambda.getClass(), form);
            shape = s;
        }
        return s == UNSUPPORTED ? null : s;
    }

    private static byte[] computeShape(Class<?> lambdaClass, SerializedLambda form) {
        Class<?> capturing;
        try {
            capturing = Class.forName(form.getCapturingClass().replace('/', '.'), false, lambdaClass.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return UNSUPPORTED;
        }
        if (LambdaFactory.deserializerOf(capturing) == null) {
            return UNSUPPORTED;
        }
        String[] strings = {form.getCapturingClass(), form.getFunctionalInterfaceClass(),
                form.getFunctionalInterfaceMethodName(), form.getFunctionalInterfaceMethodSignature(),
                form.getImplClass(), form.getImplMethodName(), form.getImplMethodSignature(),
                form.getInstantiatedMethodType()};
        WireOutput out = new WireOutput(256);
        out.writeByte(form.getImplMethodKind());
        for (String s : strings) {
            byte[] utf8 = Utf8.exact(s);
            if (utf8 == null || utf8.length > 0xffff) {
                return UNSUPPORTED;
            }
            out.writeByte(utf8.length);
            out.writeByte(utf8.length >>> 8);
            out.writeBytes(utf8, 0, utf8.length);
        }
        byte[] bytes = out.toByteArray();
        return bytes.length > MAX_SHAPE_BYTES ? UNSUPPORTED : bytes;
    }

    /** The lambda class's {@code writeReplace}, made accessible; {@code null} if absent or inaccessible. */
    private static Method writeReplaceOf(Class<?> type) {
        try {
            Method m = type.getDeclaredMethod("writeReplace");
            if (Modifier.isStatic(m.getModifiers())) {
                return null;
            }
            m.setAccessible(true);
            return m;
        } catch (NoSuchMethodException | RuntimeException e) { // RuntimeException: InaccessibleObjectException
            return null;
        }
    }
}
