package org.multiprocessing4j.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The progress bar's text: counts, bar, percentage, rate and ETA; one final line. */
class ProgressBarTest {

    @Test
    void a_bar_with_a_total_shows_done_of_total_percent_rate_and_eta() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar("Pool-1 map", 200, new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        bar.advance(50);
        String line = bar.line(System.nanoTime());
        assertTrue(line.startsWith("Pool-1 map 50/200 [======>"), line);
        assertTrue(line.contains(" 25% ") && line.contains(" it/s ETA "), line);
        bar.advance(150);
        bar.finish();
        bar.finish();
        String out = bytes.toString(StandardCharsets.UTF_8);
        String last = out.lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("Pool-1 map 200/200 [==============================] 100% "), last);
        assertTrue(last.contains(" in 0:00:0"), last);
        assertEquals(1, out.lines().count(), "off a terminal a call shorter than 5 s prints its final line only: " + out);
    }

    @Test
    void a_bar_without_a_total_shows_the_count_and_rate() {
        ProgressBar bar = new ProgressBar("Pool-1 imap", -1, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), true);
        bar.advance(7);
        String line = bar.line(System.nanoTime());
        assertTrue(line.startsWith("Pool-1 imap 7 ") && line.contains(" it/s"), line);
    }
}
