package org.multiprocessing4j.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Writes a serializable lambda as its {@link SerializedLambda} form, with the captured values written by
 * Kryo (so they need not be {@code Serializable}), and rebuilds it on read through the capturing class's
 * compiler-generated {@code $deserializeLambda$}, which also checks that the form names a lambda that
 * class really declares.
 *
 * <p>Unlike Kryo's own {@code ClosureSerializer}, this needs no access to {@code java.lang.invoke}
 * internals (on JDK 25 that costs an {@code --add-opens} flag or a logged warning per JVM), and it
 * resolves the capturing class through the lambda's own loader when writing and through Kryo's
 * current loader when reading. It does need reflective access to the capturing class: always granted
 * on the class path; a named module must open the package to {@code org.multiprocessing4j.kryo}.
 *
 * <p>Wire form: capturing class (Kryo class reference), the seven strings and the method kind of the
 * {@code SerializedLambda}, the captured-argument count, then each argument with its class.
 * A lambda that captures itself (through a field of a captured object) cannot be rebuilt: it is created
 * only after its arguments are read, so writing one fails. Stateless, so one instance may serve many Kryo
 * instances.
 */
final class LambdaSerializer extends Serializer<Object> {

    /** Per lambda class: its {@code writeReplace}, and its capturing class once a first write found it. */
    private static final ClassValue<LambdaClass> LAMBDA_CLASSES = new ClassValue<>() {
        @Override
        protected LambdaClass computeValue(Class<?> lambdaClass) {
            return new LambdaClass(accessible(lambdaClass, "writeReplace"));
        }
    };

    private static final ClassValue<Method> DESERIALIZE_LAMBDA = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> capturingClass) {
            return accessible(capturingClass, "$deserializeLambda$", SerializedLambda.class);
        }
    };

    @Override
    public void write(Kryo kryo, Output output, Object lambda) {
        LambdaClass lambdaClass = LAMBDA_CLASSES.get(lambda.getClass());
        SerializedLambda form = lambdaClass.serializedForm(lambda);
        Class<?> capturingClass = lambdaClass.capturingClass(lambda, form);
        kryo.writeClass(output, capturingClass);
        output.writeString(form.getFunctionalInterfaceClass());
        output.writeString(form.getFunctionalInterfaceMethodName());
        output.writeString(form.getFunctionalInterfaceMethodSignature());
        output.writeVarInt(form.getImplMethodKind(), true);
        output.writeString(form.getImplClass());
        output.writeString(form.getImplMethodName());
        output.writeString(form.getImplMethodSignature());
        output.writeString(form.getInstantiatedMethodType());
        int count = form.getCapturedArgCount();
        output.writeVarInt(count, true);
        Mp4jKryo mp4j = (Mp4jKryo) kryo;
        mp4j.enterContents(lambda); // NOTE: a reference back to the lambda fails the write: it would read as null
        try {
            for (int i = 0; i < count; i++) {
                kryo.writeClassAndObject(output, form.getCapturedArg(i));
            }
        } finally {
            mp4j.leaveContents(lambda);
        }
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<?> type) {
        Class<?> capturingClass = kryo.readClass(input).getType();
        String functionalInterfaceClass = input.readString();
        String functionalInterfaceMethodName = input.readString();
        String functionalInterfaceMethodSignature = input.readString();
        int implMethodKind = input.readVarInt(true);
        String implClass = input.readString();
        String implMethodName = input.readString();
        String implMethodSignature = input.readString();
        String instantiatedMethodType = input.readString();
        Object[] capturedArgs = new Object[input.readVarInt(true)];
        for (int i = 0; i < capturedArgs.length; i++) {
            capturedArgs[i] = kryo.readClassAndObject(input);
        }
        SerializedLambda form = new SerializedLambda(capturingClass, functionalInterfaceClass,
                functionalInterfaceMethodName, functionalInterfaceMethodSignature, implMethodKind, implClass,
                implMethodName, implMethodSignature, instantiatedMethodType, capturedArgs);
        try {
            return DESERIALIZE_LAMBDA.get(capturingClass).invoke(null, form);
        } catch (InvocationTargetException e) {
            throw new KryoException("cannot rebuild lambda " + implClass + "." + implMethodName
                    + " in " + capturingClass.getName() + ": " + e.getCause(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new KryoException(e);
        }
    }

    /** What writing needs to know about one lambda class; safe to share between threads. */
    private static final class LambdaClass {
        private final Method writeReplace;
        private volatile Class<?> capturingClass; // NOTE: a benign race; every writer finds the same class

        LambdaClass(Method writeReplace) {
            this.writeReplace = writeReplace;
        }

        SerializedLambda serializedForm(Object lambda) {
            Object form;
            try {
                form = writeReplace.invoke(lambda);
            } catch (InvocationTargetException | IllegalAccessException e) {
                throw new KryoException("writeReplace of lambda " + lambda.getClass().getName() + " failed", e);
            }
            if (form instanceof SerializedLambda serializedLambda) {
                return serializedLambda;
            }
            throw new KryoException("lambda " + lambda.getClass().getName() + " is not serializable (make its"
                    + " target type extend java.io.Serializable); writeReplace gave " + form);
        }

        /** The class that declared the lambda, found through the lambda's own loader. */
        Class<?> capturingClass(Object lambda, SerializedLambda form) {
            Class<?> c = capturingClass;
            if (c == null) {
                try {
                    c = Class.forName(form.getCapturingClass().replace('/', '.'), false,
                            lambda.getClass().getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new KryoException("capturing class of lambda " + lambda.getClass().getName()
                            + " not found", e);
                }
                capturingClass = c;
            }
            return c;
        }
    }

    private static Method accessible(Class<?> type, String name, Class<?>... parameterTypes) {
        try {
            Method method = type.getDeclaredMethod(name, parameterTypes);
            method.setAccessible(true);
            return method;
        } catch (NoSuchMethodException e) {
            throw new KryoException(type.getName() + " has no " + name + ": not a serializable lambda"
                    + " (its target type must extend java.io.Serializable)", e);
        } catch (RuntimeException e) { // InaccessibleObjectException: a named module that does not open the package
            throw new KryoException("cannot reach " + type.getName() + "." + name + ": open package "
                    + type.getPackageName() + " of " + type.getModule() + " to org.multiprocessing4j.kryo", e);
        }
    }
}
