package org.multiprocessing4j.internal.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.function.Supplier;

/**
 * Copies a child's stdout or stderr into this JVM's {@code System.out}/{@code System.err} (looked up at
 * each write, so redirections such as a test runner's are honoured), keeping the last
 * {@value #TAIL_BYTES} bytes to quote when the child fails to start. One daemon thread per stream; it
 * ends at the child's end-of-stream.
 */
final class OutputPump {
    static final int TAIL_BYTES = 16 * 1024;

    private final byte[] tail = new byte[TAIL_BYTES];
    private long total;
    private final Thread thread;
    private final java.util.concurrent.CompletableFuture<Void> ended = new java.util.concurrent.CompletableFuture<>();

    OutputPump(InputStream in, Supplier<PrintStream> target, String name) {
        this.thread = new Thread(() -> copy(in, target), name);
        thread.setDaemon(true);
        thread.start();
    }

    private void copy(InputStream in, Supplier<PrintStream> target) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                remember(buf, n);
                if (target != null) {
                    PrintStream out = target.get();
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
        } catch (IOException ignored) {
            // the child is gone
        } finally {
            ended.complete(null);
        }
    }

    /** Completes at the child's end-of-stream, once everything before it was copied. */
    java.util.concurrent.CompletableFuture<Void> ended() {
        return ended;
    }

    private synchronized void remember(byte[] buf, int n) {
        for (int i = 0; i < n; i++) {
            tail[(int) ((total + i) % TAIL_BYTES)] = buf[i];
        }
        total += n;
    }

    /** Waits up to {@code millis} for end-of-stream (the child closed it or exited). */
    void awaitEnd(long millis) throws InterruptedException {
        thread.join(millis);
    }

    /** The last bytes seen, decoded as platform text. */
    synchronized String tail() {
        int n = (int) Math.min(total, TAIL_BYTES);
        byte[] out = new byte[n];
        long start = total - n;
        for (int i = 0; i < n; i++) {
            out[i] = tail[(int) ((start + i) % TAIL_BYTES)];
        }
        return new String(out, Charset.defaultCharset());
    }
}
