package org.multiprocessing4j;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures this JVM's {@code System.out} and {@code System.err} (and so the output children forward to
 * them) while a block runs, still echoing it. Children's output is complete once they were joined.
 */
final class CapturedOutput implements AutoCloseable {
    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    CapturedOutput() {
        System.setOut(new PrintStream(tee(out, originalOut), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(tee(err, originalErr), true, StandardCharsets.UTF_8));
    }

    synchronized String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    synchronized String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private OutputStream tee(ByteArrayOutputStream copy, PrintStream echo) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (CapturedOutput.this) {
                    copy.write(b, off, len);
                }
                echo.write(b, off, len);
            }
        };
    }
}
