package org.multiprocessing4j.internal.shm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * When a process started, in milliseconds since the machine booted, read from field 22 of
 * {@code /proc/<pid>/stat} (clock ticks since boot, fixed for the process's life).
 *
 * <p>Why not {@link ProcessHandle.Info#startInstant()}: the JDK adds those ticks to the boot time in epoch
 * terms, which Linux derives from the wall clock and moves whenever the clock is set (an NTP step, a VM
 * resumed from a snapshot), and each JVM reads it once. Two JVMs started on either side of a clock step then
 * disagree, by the step, on the start time of every process: a live owner looked like an unrelated process
 * that reused its pid (a pipe end refused to the very child it was handed to, after a 6 s step during a
 * test run). The ticks since boot never move. Thread-safe; never blocks beyond reading one small file.
 */
public final class ProcessStartTime {
    /**
     * USER_HZ, the unit of {@code /proc} times: 100 on every architecture the JDK runs on. Not asked of
     * {@code sysconf}, a restricted native call that warns in a JVM without native access for this module;
     * what matters is that every JVM converts alike, which a constant guarantees.
     */
    private static final long TICKS_PER_SECOND = 100;
    /** Fields of {@code /proc/<pid>/stat} after the command's closing parenthesis: field 3 (state) is index 0. */
    private static final int START_TIME_INDEX = 22 - 3;

    private ProcessStartTime() {
    }

    /**
     * The start time of process {@code pid} in milliseconds since boot; empty if there is no such process
     * now (or {@code /proc} cannot tell).
     */
    public static Optional<Long> millisSinceBoot(long pid) {
        byte[] stat;
        try {
            stat = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException | SecurityException gone) {
            return Optional.empty();
        }
        return parse(new String(stat, StandardCharsets.US_ASCII));
    }

    /** The start time in a {@code /proc/<pid>/stat} line, in milliseconds since boot; empty if malformed. */
    static Optional<Long> parse(String stat) {
        // NOTE: field 2 is the command in parentheses, which may itself hold spaces and parentheses: the
        // fields that follow begin after the LAST closing parenthesis
        int end = stat.lastIndexOf(')');
        if (end < 0 || end + 2 > stat.length()) {
            return Optional.empty();
        }
        String[] fields = stat.substring(end + 2).trim().split(" ");
        if (fields.length <= START_TIME_INDEX) {
            return Optional.empty();
        }
        try {
            long ticks = Long.parseLong(fields[START_TIME_INDEX]);
            return Optional.of(Math.multiplyExact(ticks, 1000L) / TICKS_PER_SECOND);
        } catch (NumberFormatException | ArithmeticException malformed) {
            return Optional.empty();
        }
    }
}
