package org.multiprocessing4j.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import com.esotericsoftware.kryo.util.ObjectMap;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;

/**
 * JDK serialization for the parts of a graph that {@link Mp4jKryo} does not take apart itself. One instance
 * serves every such class of a Kryo, so all those parts of one graph go through one
 * {@link ObjectOutputStream} (Kryo keeps one per serializer and graph) and share its identities: an object
 * in two of them stays one object. Every object the stream writes is reported to
 * {@link Mp4jKryo#writtenByJdk}, which finds one that Kryo writes too. Reading is {@link JavaSerializer}'s.
 * Like every Kryo serializer, used by one thread at a time.
 */
final class GraphJavaSerializer extends JavaSerializer {
    @Override
    @SuppressWarnings("rawtypes") // Kryo declares ObjectMap raw
    public void write(Kryo kryo, Output output, Object object) {
        try {
            ObjectMap graphContext = kryo.getGraphContext();
            ObjectOutputStream stream = (ObjectOutputStream) graphContext.get(this);
            if (stream == null) {
                stream = new Watched(output, (Mp4jKryo) kryo);
                graphContext.put(this, stream);
            }
            Mp4jKryo mp4j = (Mp4jKryo) kryo;
            mp4j.handedToJdk = object;
            try {
                stream.writeObject(object);
            } finally {
                mp4j.handedToJdk = null;
            }
            stream.flush();
        } catch (IOException | RuntimeException e) {
            throw new KryoException("Error during Java serialization.", e);
        }
    }

    /** A stream that reports each object it writes (once: a second reference is a handle, not reported). */
    private static final class Watched extends ObjectOutputStream {
        private final Mp4jKryo kryo;

        Watched(OutputStream out, Mp4jKryo kryo) throws IOException {
            super(out);
            this.kryo = kryo;
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object object) {
            kryo.writtenByJdk(object);
            return object;
        }
    }
}
