package org.multiprocessing4j.bench.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

/** JDK serialization: a new {@code ObjectOutputStream}/{@code ObjectInputStream} per message, as a wire frame needs. */
final class JdkCodec implements Codec {

    @Override
    public String name() {
        return "jdk";
    }

    @Override
    public byte[] toBytes(Object object) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        return bytes.toByteArray();
    }

    @Override
    public Object fromBytes(byte[] data) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(data))) {
            return in.readObject();
        }
    }
}
