package org.multiprocessing4j.internal.wire;

import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.Supplier;

/**
 * Makes a serializable lambda by calling {@link LambdaMetafactory} directly, as a non-javac compiler might:
 * this class declares no serializable lambda in source, so javac gives it no {@code $deserializeLambda$}.
 */
final class ManualLambdas {
    private ManualLambdas() {
    }

    @SuppressWarnings("unchecked")
    static Supplier<String> serializableSupplier(String captured) throws Throwable {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MethodHandle impl = lookup.findStatic(ManualLambdas.class, "impl", MethodType.methodType(String.class, String.class));
        CallSite site = LambdaMetafactory.altMetafactory(lookup, "get", MethodType.methodType(Supplier.class, String.class),
                MethodType.methodType(Object.class), impl, MethodType.methodType(String.class), LambdaMetafactory.FLAG_SERIALIZABLE);
        return (Supplier<String>) site.getTarget().invoke(captured);
    }

    private static String impl(String captured) {
        return captured + "?";
    }
}
