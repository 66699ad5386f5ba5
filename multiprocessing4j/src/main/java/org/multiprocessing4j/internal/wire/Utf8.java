package org.multiprocessing4j.internal.wire;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 that never changes a string. A Java {@code String} may hold an unpaired surrogate (a legal
 * {@code char} sequence that is not well-formed UTF-16), which UTF-8 cannot carry: {@code String.getBytes}
 * silently puts {@code '?'} in its place. Callers get {@code null} instead and choose what to do: the
 * codec writes such a string char by char (tag STRING16 of {@link ObjectCodec}), a {@code ShareableList}
 * refuses it as CPython does. Stateless.
 */
public final class Utf8 {
    private Utf8() {
    }

    /** The UTF-8 bytes of {@code s}, or null if {@code s} holds an unpaired surrogate. */
    public static byte[] exact(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        // NOTE: getBytes writes '?' for each unpaired surrogate: only an encoding that holds a '?' needs the check
        for (byte b : utf8) {
            if (b == '?') {
                return firstUnpairedSurrogate(s) < 0 ? utf8 : null;
            }
        }
        return utf8;
    }

    /** The index of the first unpaired surrogate {@code char} of {@code s}, or -1 if it is well-formed UTF-16. */
    public static int firstUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
