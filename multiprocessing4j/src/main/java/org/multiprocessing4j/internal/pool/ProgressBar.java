package org.multiprocessing4j.internal.pool;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line terminal progress bar for a map-family call: items done of total, a bar, the rate and the
 * time left, in the style of Python's tqdm:
 *
 * <pre>Pool-1 map  48000/100000 [==========>           ]  48% 312k it/s ETA 0:00:01</pre>
 *
 * On a terminal the line is redrawn in place ({@code \r}) at most 10 times a second; when standard error
 * is not a terminal a line is printed at most every 5 seconds, so logs stay short. The final state is
 * always printed once, ending the line. Without a known total it shows the count and rate only.
 * Thread-safe: updates may come from any thread.
 */
final class ProgressBar {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LOG_NANOS = 5_000_000_000L;
    private static final int WIDTH = 30;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long done;
    private long lastDrawn;
    private boolean finished;

    ProgressBar(String label, long total) {
        this(label, total, System.err, System.console() != null);
    }

    ProgressBar(String label, long total, PrintStream out, boolean terminal) {
        this.label = label;
        this.total = total;
        this.out = out;
        this.terminal = terminal;
        this.lastDrawn = start - REDRAW_NANOS;
    }

    /** {@code items} more are done. */
    synchronized void advance(long items) {
        if (finished) {
            return;
        }
        done += items;
        long now = System.nanoTime();
        if (now - lastDrawn >= (terminal ? REDRAW_NANOS : LOG_NANOS)) {
            lastDrawn = now;
            out.print((terminal ? "\r" : "") + line(now) + (terminal ? "" : System.lineSeparator()));
            out.flush();
        }
    }

    /** Prints the final state and ends the line. Idempotent. */
    synchronized void finish() {
        if (finished) {
            return;
        }
        finished = true;
        out.print((terminal ? "\r" : "") + line(System.nanoTime()) + System.lineSeparator());
        out.flush();
    }

    String line(long now) {
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / seconds;
        StringBuilder s = new StringBuilder(label).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, done * WIDTH / total);
            s.append(done).append('/').append(total).append(" [");
            s.append("=".repeat(Math.max(0, filled - 1))).append(filled > 0 ? (filled == WIDTH ? "=" : ">") : "");
            s.append(" ".repeat(WIDTH - filled)).append("] ");
            s.append(String.format(Locale.ROOT, "%3d%% ", done * 100 / total));
        } else {
            s.append(done).append(' ');
        }
        s.append(rate(rate)).append(" it/s");
        if (total > 0 && rate > 0 && done < total) {
            s.append(" ETA ").append(clock((long) ((total - done) / rate)));
        } else {
            s.append(" in ").append(clock((long) seconds));
        }
        return s.toString();
    }

    private static String rate(double perSecond) {
        if (perSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.1fM", perSecond / 1e6);
        }
        if (perSecond >= 1e4) {
            return String.format(Locale.ROOT, "%.0fk", perSecond / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f", perSecond);
    }

    private static String clock(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}
