package org.multiprocessing4j;

import java.io.IOException;
import java.util.Arrays;
import org.multiprocessing4j.internal.wire.JdkSerializer;

/**
 * A test codec whose bytes JDK serialization cannot read (a marker prefix), so a child that runs its
 * target proves it decoded with this codec, made from its class name.
 */
public final class MarkedSerializer implements Serializer {
    private static final byte[] MARK = {'M', 'K'};
    private final JdkSerializer jdk = new JdkSerializer();

    @Override
    public byte[] toBytes(Object object) throws IOException {
        byte[] body = jdk.toBytes(object);
        byte[] out = Arrays.copyOf(MARK, MARK.length + body.length);
        System.arraycopy(body, 0, out, MARK.length, body.length);
        return out;
    }

    @Override
    public Object fromBytes(byte[] data, int offset, int length, ClassLoader loader) throws IOException, ClassNotFoundException {
        if (length < 2 || data[offset] != 'M' || data[offset + 1] != 'K') {
            throw new IOException("not written by MarkedSerializer");
        }
        return jdk.fromBytes(data, offset + 2, length - 2, loader);
    }
}
