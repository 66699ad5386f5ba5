package org.multiprocessing4j.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A logged line longer than a piece, read in reads whose boundaries fall inside a character: each piece is cut
 * between characters. A child's output read from a full pipe comes in reads of exactly 64 KiB (the pipe's
 * size), so a line of 3-byte characters has a read end 1 byte into a character, at the piece limit.
 */
class LoggedOutputReadBoundaryTest {
    private static final String TAG = "[boundary 1] ";

    @Test
    void a_read_ending_inside_a_character_at_the_piece_limit_does_not_cut_that_character() throws Exception {
        byte[] text = ("\u20ac".repeat(30_000) + "\n").getBytes(StandardCharsets.UTF_8);
        assertEquals("\u20ac".repeat(30_000), logged(text, OutputPump.MAX_LOGGED_LINE));
    }

    @Test
    void a_read_ending_two_bytes_into_a_character_at_the_piece_limit_does_not_cut_that_character() throws Exception {
        byte[] text = ("xy" + "\u20ac".repeat(30_000) + "\n").getBytes(StandardCharsets.UTF_8);
        assertEquals("xy" + "\u20ac".repeat(30_000), logged(text, OutputPump.MAX_LOGGED_LINE));
    }

    @Test
    void a_read_ending_inside_a_four_byte_character_at_the_piece_limit_does_not_cut_that_character() throws Exception {
        String line = "\uD83D\uDE00".repeat(20_000); // 4 bytes each: the limit falls on a character's end...
        byte[] text = ("ab" + line + "\n").getBytes(StandardCharsets.UTF_8); // ...2 bytes further, inside one
        assertEquals("ab" + line, logged(text, OutputPump.MAX_LOGGED_LINE));
    }

    /** Pumps {@code bytes} in LOGGED mode, the first read {@code firstRead} bytes long; returns the pieces joined. */
    private static String logged(byte[] bytes, int firstRead) throws Exception {
        assumeTrue(Charset.defaultCharset().equals(StandardCharsets.UTF_8), "the pump decodes with the default charset");
        Logger logger = Logger.getLogger("org.multiprocessing4j.output");
        List<String> messages = Collections.synchronizedList(new ArrayList<>());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                messages.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean parents = logger.getUseParentHandlers();
        logger.setUseParentHandlers(false); // NOTE: 90 KB lines stay out of the build's console
        logger.addHandler(handler);
        try {
            PrintStream nowhere = new PrintStream(java.io.OutputStream.nullOutputStream());
            OutputPump pump = new OutputPump(new Reads(bytes, firstRead), () -> nowhere, "test-logged-output", OutputMode.LOGGED,
                    () -> TAG, Level.INFO);
            pump.ended().get(60, TimeUnit.SECONDS);
            StringBuilder all = new StringBuilder();
            synchronized (messages) {
                for (String m : messages) {
                    if (m.startsWith(TAG)) {
                        all.append(m, TAG.length(), m.length());
                    }
                }
            }
            return all.toString();
        } finally {
            logger.removeHandler(handler);
            logger.setUseParentHandlers(parents);
        }
    }

    /** A stream whose reads return {@code firstRead} bytes, then 8 KiB at a time, as a child's pipe may. */
    private static final class Reads extends InputStream {
        private final ArrayDeque<byte[]> reads = new ArrayDeque<>();

        Reads(byte[] bytes, int firstRead) {
            reads.add(Arrays.copyOfRange(bytes, 0, firstRead));
            for (int at = firstRead; at < bytes.length; at += 8192) {
                reads.add(Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 8192)));
            }
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("the pump reads in blocks");
        }

        @Override
        public int read(byte[] b, int off, int len) {
            byte[] next = reads.poll();
            if (next == null) {
                return -1;
            }
            if (next.length > len) {
                throw new IllegalStateException("a read of " + next.length + " bytes into " + len);
            }
            System.arraycopy(next, 0, b, off, next.length);
            return next.length;
        }
    }
}
