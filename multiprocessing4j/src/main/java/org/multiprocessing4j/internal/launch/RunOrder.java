package org.multiprocessing4j.internal.launch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The {@link Frames#RUN} payload: who the child is and what it runs.
 *
 * <p>Wire format: {@code name(len4 + UTF-16BE) | daemon(1) | identityLength(4) | identity ints | process(rest)} where
 * {@code process} is the {@link org.multiprocessing4j.internal.wire.ObjectCodec} encoding of the
 * {@link org.multiprocessing4j.Process} object (its subclass fields included).
 */
record RunOrder(String name, boolean daemon, int[] identity, byte[] process) {

    byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + process.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            StringField.write(out, name);
            out.writeBoolean(daemon);
            out.writeInt(identity.length);
            for (int i : identity) {
                out.writeInt(i);
            }
            out.write(process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static RunOrder fromBytes(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        String name = StringField.read(in, payload.length, "process name");
        boolean daemon = in.readBoolean();
        int n = in.readInt();
        if (n < 0 || n > 1024) {
            throw new IOException("corrupt run order: identity of length " + n);
        }
        int[] identity = new int[n];
        for (int i = 0; i < n; i++) {
            identity[i] = in.readInt();
        }
        return new RunOrder(name, daemon, identity, in.readAllBytes());
    }
}
