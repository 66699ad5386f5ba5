package org.multiprocessing4j.internal.launch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A string field of the launch records ({@link RunOrder}, {@link Bootstrap}) of any length: a 4-byte
 * big-endian length, then that many bytes of UTF-8. {@link DataOutputStream#writeUTF} stops at 65,535
 * encoded bytes, and a process may be given a longer name (Python sets no limit).
 */
final class Utf8Field {
    private Utf8Field() {
    }

    static void write(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /**
     * @throws IOException if the length is negative or over {@code maxBytes} (a corrupt record), or the
     *                     stream ends first
     */
    static String read(DataInputStream in, int maxBytes, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > maxBytes) {
            throw new IOException("corrupt launch record: " + what + " of " + n + " bytes");
        }
        byte[] bytes = in.readNBytes(n);
        if (bytes.length != n) {
            throw new EOFException("launch record ends inside its " + what);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
