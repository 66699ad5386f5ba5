package org.multiprocessing4j.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.AbstractMap.SimpleEntry;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.Map;

/**
 * {@link SimpleImmutableEntry} and {@link SimpleEntry} by their key and value, each written by Kryo: JDK
 * serialization (the choice for a Serializable JDK class) would require both to be Serializable, and a
 * starmap's pairs travel as such entries. Stateless; one instance per entry class.
 */
final class EntrySerializer extends Serializer<Map.Entry<Object, Object>> {
    private final boolean immutable;

    EntrySerializer(boolean immutable) {
        this.immutable = immutable;
    }

    @Override
    public void write(Kryo kryo, Output output, Map.Entry<Object, Object> entry) {
        kryo.writeClassAndObject(output, entry.getKey());
        kryo.writeClassAndObject(output, entry.getValue());
    }

    @Override
    public Map.Entry<Object, Object> read(Kryo kryo, Input input, Class<? extends Map.Entry<Object, Object>> type) {
        Object key = kryo.readClassAndObject(input);
        Object value = kryo.readClassAndObject(input);
        return immutable ? new SimpleImmutableEntry<>(key, value) : new SimpleEntry<>(key, value);
    }
}
