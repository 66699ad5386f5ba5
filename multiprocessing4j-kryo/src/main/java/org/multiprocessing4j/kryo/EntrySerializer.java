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
 * starmap's pairs travel as such entries. A {@code SimpleEntry} is created (and may be referred to) once its
 * key is read, so its value may lead back to it; an entry reachable from its own key, or a
 * {@code SimpleImmutableEntry} from its value, could only be created after the reference back to it is
 * read, so then the graph goes whole by JDK serialization ({@link Mp4jKryo#enterContents}). Stateless; one
 * instance per entry class.
 */
final class EntrySerializer extends Serializer<Map.Entry<Object, Object>> {
    private final boolean immutable;

    EntrySerializer(boolean immutable) {
        this.immutable = immutable;
    }

    @Override
    public void write(Kryo kryo, Output output, Map.Entry<Object, Object> entry) {
        Mp4jKryo mp4j = (Mp4jKryo) kryo;
        mp4j.enterContents(entry);
        try {
            kryo.writeClassAndObject(output, entry.getKey());
            if (!immutable) {
                mp4j.leaveContents(entry); // NOTE: read creates a SimpleEntry before its value
            }
            kryo.writeClassAndObject(output, entry.getValue());
        } finally {
            mp4j.leaveContents(entry);
        }
    }

    @Override
    public Map.Entry<Object, Object> read(Kryo kryo, Input input, Class<? extends Map.Entry<Object, Object>> type) {
        Object key = kryo.readClassAndObject(input);
        if (immutable) {
            return new SimpleImmutableEntry<>(key, kryo.readClassAndObject(input));
        }
        SimpleEntry<Object, Object> entry = new SimpleEntry<>(key, null);
        kryo.reference(entry); // NOTE: a reference back to the entry from its value resolves to it
        entry.setValue(kryo.readClassAndObject(input));
        return entry;
    }
}
