package org.multiprocessing4j.internal.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.charset.Charset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.multiprocessing4j.internal.events.Loggers;

/**
 * Copies a child's stdout or stderr into this JVM, keeping the last {@value #TAIL_BYTES} bytes to quote
 * when the child fails to start. One daemon thread per stream; it ends at the child's end-of-stream.
 *
 * <p>Where the bytes go ({@link OutputMode}): to {@code System.out}/{@code System.err} (looked up at each
 * write, so redirections such as a test runner's are honoured) as they are, or with each line prefixed by
 * the child's tag ({@code [name pid] }, looked up at each line start, so a standby that is given a process
 * is tagged with its name from then on); or line by line to the {@code org.multiprocessing4j.output}
 * logger. Tagged output is written a run of whole lines per call, so whole lines of two children do not
 * interleave: the end of a line that a read cut off is held back while more of the child's output is waiting
 * or arrives within {@value #HOLD_MILLIS} ms (up to {@value #MAX_LOGGED_LINE} bytes), and written with the rest
 * of its line; a line a child writes in pieces with longer pauses between them (a prompt without a newline is
 * written after that pause) may still be interleaved with another child's line. A logged
 * line is held until its newline (or end-of-stream, or {@value #MAX_LOGGED_LINE} bytes: then it is logged in
 * pieces cut between characters).
 */
final class OutputPump {
    static final int TAIL_BYTES = 16 * 1024;
    /** A logged line longer than this is logged in pieces. */
    static final int MAX_LOGGED_LINE = 64 * 1024;
    /** TAGGED: how long the end of a cut line waits for the rest of its line before it is written alone. */
    static final long HOLD_MILLIS = 100;

    private final byte[] tail = new byte[TAIL_BYTES];
    private long total;
    private final Thread thread;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final OutputMode mode;
    private final Supplier<String> tag;
    private final Level level;
    /** TAGGED: the next byte starts a line. Only the pump thread touches it. */
    private boolean atLineStart = true;
    /** TAGGED: the start of a line held back until the rest of it arrives. Only the pump thread touches it. */
    private final ByteArrayOutputStream heldBack = new ByteArrayOutputStream();
    /** LOGGED: the line read so far. Only the pump thread touches it. */
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    /**
     * @param target where RAW and TAGGED output goes; null: nowhere (only the tail is kept)
     * @param tag    the child's line prefix, for TAGGED and LOGGED
     * @param level  the level of LOGGED lines
     */
    OutputPump(InputStream in, Supplier<PrintStream> target, String threadName, OutputMode mode, Supplier<String> tag,
               Level level) {
        this.mode = mode;
        this.tag = tag;
        this.level = level;
        this.thread = new Thread(() -> copy(in, target), threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void copy(InputStream in, Supplier<PrintStream> target) {
        byte[] buf = new byte[MAX_LOGGED_LINE];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                remember(buf, n);
                if (target != null) {
                    switch (mode) {
                        case RAW -> {
                            PrintStream out = target.get();
                            out.write(buf, 0, n);
                            out.flush();
                        }
                        case TAGGED -> writeTagged(buf, n, target.get(), buf[n - 1] != '\n' && moreArrives(in));
                        case LOGGED -> logLines(buf, n);
                    }
                }
            }
        } catch (IOException ignored) {
            // the child is gone
        } finally {
            if (target != null && mode == OutputMode.LOGGED && line.size() > 0) {
                logLine();
            }
            if (target != null && mode == OutputMode.TAGGED && heldBack.size() > 0) {
                writeTagged(new byte[0], 0, target.get(), false);
            }
            ended.complete(null);
        }
    }

    /**
     * Whether more of the child's output is waiting, or arrives within {@value #HOLD_MILLIS} ms. A child's
     * {@code System.out} writes a long text in 8 KiB pieces, so the rest of a line a read cut off is often a few
     * microseconds behind; polling {@code available()} with growing pauses (20 µs up to 1 ms) costs nothing
     * measurable and keeps the pump on the blocking read the rest of the time.
     */
    private static boolean moreArrives(InputStream in) throws IOException {
        if (in.available() > 0) {
            return true;
        }
        long deadline = System.nanoTime() + HOLD_MILLIS * 1_000_000L;
        long pause = 20_000;
        while (System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(pause);
            if (in.available() > 0) {
                return true;
            }
            pause = Math.min(pause * 2, 1_000_000);
        }
        return false;
    }

    /**
     * Writes {@code buf[0, n)} after what was held back, each line tagged; when {@code moreWaiting}, the end of an
     * unfinished last line is held back instead (unless that would hold more than {@value #MAX_LOGGED_LINE} bytes).
     */
    private void writeTagged(byte[] buf, int n, PrintStream out, boolean moreWaiting) {
        if (heldBack.size() > 0) {
            heldBack.write(buf, 0, n);
            buf = heldBack.toByteArray();
            n = buf.length;
            heldBack.reset();
        }
        int cut = n;
        if (moreWaiting) {
            int lastNewline = n - 1;
            while (lastNewline >= 0 && buf[lastNewline] != '\n') {
                lastNewline--;
            }
            if (n - (lastNewline + 1) < MAX_LOGGED_LINE) {
                cut = lastNewline + 1;
                heldBack.write(buf, cut, n - cut);
            }
        }
        n = cut;
        if (n == 0) {
            return;
        }
        ByteArrayOutputStream chunk = new ByteArrayOutputStream(n + 64);
        byte[] prefix = null;
        int i = 0;
        while (i < n) {
            if (atLineStart) {
                if (prefix == null) {
                    prefix = tag.get().getBytes(out.charset());
                }
                chunk.write(prefix, 0, prefix.length);
                atLineStart = false;
            }
            int end = i;
            while (end < n && buf[end] != '\n') {
                end++;
            }
            if (end < n) {
                end++; // the newline
                atLineStart = true;
            }
            chunk.write(buf, i, end - i);
            i = end;
        }
        out.write(chunk.toByteArray(), 0, chunk.size());
        out.flush();
    }

    private void logLines(byte[] buf, int n) {
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                line.write(buf, start, i - start);
                logLine();
                start = i + 1;
            } else if (line.size() + (i - start) >= MAX_LOGGED_LINE) {
                line.write(buf, start, i - start);
                start = i;
                logPieceBefore(buf[i]);
            }
        }
        line.write(buf, start, n - start);
    }

    /**
     * Logs the line read so far as one piece, cut before a character rather than inside one: when {@code next}
     * continues a UTF-8 character, that character's first bytes stay in {@link #line} for the next piece.
     */
    private void logPieceBefore(byte next) {
        // NOTE: the character may have begun in an earlier read, so its bytes are looked for in the line, not in
        // the read: a read that ended 1 or 2 bytes into a 3-byte character (a full 64 KiB pipe read does) was
        // otherwise cut there, and each piece decoded its half to replacement characters
        byte[] bytes = line.toByteArray();
        int at = bytes.length;
        if ((next & 0xC0) == 0x80) {
            int lead = bytes.length - 1;
            while (lead > 0 && bytes.length - lead < 3 && (bytes[lead] & 0xC0) == 0x80) {
                lead--;
            }
            if (lead > 0 && (bytes[lead] & 0xC0) == 0xC0) {
                at = lead;
            }
        }
        line.reset();
        line.write(bytes, 0, at);
        logLine();
        line.write(bytes, at, bytes.length - at);
    }

    private void logLine() {
        String text = line.toString(Charset.defaultCharset());
        line.reset();
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        Loggers.OUTPUT.log(level, tag.get() + text);
    }

    /** Completes at the child's end-of-stream, once everything before it was copied. */
    CompletableFuture<Void> ended() {
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
