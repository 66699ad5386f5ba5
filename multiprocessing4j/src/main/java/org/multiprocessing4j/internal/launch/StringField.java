package org.multiprocessing4j.internal.launch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * A string field of the launch records ({@link RunOrder}, {@link Bootstrap}) of any length and content: a
 * 4-byte big-endian length in bytes, then each {@code char} as two bytes, high byte first (UTF-16BE, an
 * unpaired surrogate kept: {@code String.getBytes} would turn it into {@code '?'} in UTF-8 and UTF-16
 * alike). {@link DataOutputStream#writeUTF} stops at 65,535 encoded bytes, and a process may be given a
 * longer name (Python sets no limit).
 */
final class StringField {
    private StringField() {
    }

    static void write(DataOutputStream out, String s) throws IOException {
        out.writeInt(2 * s.length());
        out.writeChars(s); // NOTE: each char as it is, high byte first: an unpaired surrogate survives, unlike getBytes
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
        if (n % 2 != 0) {
            throw new IOException("corrupt launch record: " + what + " of an odd " + n + " bytes");
        }
        byte[] bytes = in.readNBytes(n);
        if (bytes.length != n) {
            throw new EOFException("launch record ends inside its " + what);
        }
        char[] chars = new char[n / 2];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) ((bytes[2 * i] & 0xff) << 8 | (bytes[2 * i + 1] & 0xff));
        }
        return new String(chars);
    }
}
