package org.multiprocessing4j.bench.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * Kryo 5 set up for arbitrary object graphs: no registration required, reference tracking on (a
 * {@code Throwable}'s cause graph and user graphs may share or cycle), objenesis for classes without a
 * no-arg constructor, and Kryo's {@link ClosureSerializer} for serializable lambdas (registered as
 * Kryo's README says: {@code Object[]}, {@code Class}, {@code Closure}). {@code SerializedLambda} itself is
 * not registered: that builds a field serializer over a {@code java.base} class, which JDK 25 refuses
 * unless {@code java.lang.invoke} is opened, and the closure serializer never writes one. Throwables go
 * through Kryo's {@link JavaSerializer}: the field serializer needs {@code java.lang} opened and even then
 * drops the stack trace (held in a transient field until {@code getStackTrace()} runs). One {@link Kryo},
 * one {@link Output} and one {@link Input}, reused: this codec is single-threaded.
 */
final class KryoCodec implements Codec {

    private final Kryo kryo = new Kryo();
    private final Output output = new Output(4096, -1);
    private final Input input = new Input();

    KryoCodec() {
        kryo.setRegistrationRequired(false);
        kryo.setReferences(true);
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        kryo.register(Object[].class);
        kryo.register(Class.class);
        kryo.register(ClosureSerializer.Closure.class, new ClosureSerializer());
        kryo.addDefaultSerializer(Throwable.class, JavaSerializer.class);
    }

    @Override
    public String name() {
        return "kryo";
    }

    @Override
    public byte[] toBytes(Object object) {
        output.reset();
        kryo.writeClassAndObject(output, object);
        return output.toBytes();
    }

    @Override
    public Object fromBytes(byte[] data) {
        input.setBuffer(data);
        return kryo.readClassAndObject(input);
    }
}
