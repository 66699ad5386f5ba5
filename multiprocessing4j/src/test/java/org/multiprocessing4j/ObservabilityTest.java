package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/**
 * Observability with real child JVMs: Flight Recorder events of processes and pools, tagged and logged
 * child output, and the pool's log record of a worker's death (through {@code java.util.logging}, the
 * default {@link System.Logger} backend).
 */
class ObservabilityTest extends ChildProcessTestBase {

    static int sleepThen(int value, long millis) throws InterruptedException {
        Thread.sleep(millis);
        return value;
    }

    /** Waits until a worker of {@code pool} runs a task; returns its pid. */
    private static long busyWorker(Pool pool) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (System.nanoTime() < deadline) {
            for (PoolStats.WorkerStats w : pool.stats().workers()) {
                if (w.busy()) {
                    return w.pid();
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no worker got busy: " + pool.stats());
    }

    /** Runs a pool of two on 10 tasks, then SIGKILLs the worker running an 11th; returns the victim's pid. */
    private static long runTasksAndKillAWorker() throws Exception {
        try (Pool pool = new Pool(2)) {
            assertEquals(IntStream.range(0, 10).map(x -> x * x).boxed().toList(),
                    pool.map(x -> x * x, IntStream.range(0, 10).boxed().toList(), 1));
            AsyncResult<Integer> doomed = pool.applyAsync(() -> sleepThen(1, 600_000));
            long victim = busyWorker(pool);
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            ExecutionException e = assertThrows(ExecutionException.class, () -> doomed.get(HANG));
            assertInstanceOf(WorkerDiedException.class, e.getCause());
            assertEquals(7, pool.apply(() -> 7)); // served by the replacement
            return victim;
        }
    }

    @Test
    void flight_recorder_sees_process_starts_and_exits_pool_tasks_and_a_killed_worker() throws Exception {
        Path file = Files.createTempFile("mp4j-observability", ".jfr");
        try {
            long victim;
            try (Recording recording = new Recording()) {
                for (String name : List.of("ProcessStart", "ProcessExit", "PoolTask", "PoolWorkerLost")) {
                    recording.enable("multiprocessing4j." + name).withThreshold(java.time.Duration.ZERO);
                }
                recording.start();
                victim = runTasksAndKillAWorker();
                recording.stop();
                recording.dump(file);
            }
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);

            List<RecordedEvent> tasks = named(events, "multiprocessing4j.PoolTask");
            List<RecordedEvent> completed = tasks.stream().filter(t -> "completed".equals(t.getString("outcome"))).toList();
            assertEquals(11, completed.size(), "10 map chunks and one apply: " + tasks);
            assertEquals(11, completed.stream().map(t -> t.getLong("taskId")).distinct().count(), "task ids are distinct");
            Set<Long> workerPids = completed.stream().map(t -> t.getLong("workerPid")).collect(Collectors.toSet());
            assertFalse(workerPids.contains(victim) && workerPids.size() == 1, "tasks ran on more than the victim");
            for (RecordedEvent t : completed) {
                assertTrue(t.getLong("workerPid") > 0, t.toString());
                assertTrue(t.getString("worker").startsWith(t.getString("pool") + "-worker-"), t.toString());
                assertFalse(t.getDuration().isNegative(), t.toString());
            }
            RecordedEvent died = single(tasks, t -> "workerDied".equals(t.getString("outcome")));
            assertEquals(victim, died.getLong("workerPid"));
            assertEquals(WorkerDiedException.class.getName(), died.getString("error"));

            RecordedEvent lost = single(named(events, "multiprocessing4j.PoolWorkerLost"), e -> e.getLong("workerPid") == victim);
            assertEquals(-9, lost.getInt("exitCode"));
            assertEquals(1, lost.getInt("tasksFailed"));
            assertTrue(lost.getBoolean("replaced"));
            assertFalse(lost.getBoolean("retired"));

            RecordedEvent start = single(named(events, "multiprocessing4j.ProcessStart"), e -> e.getLong("pid") == victim);
            assertEquals(died.getString("worker"), start.getString("processName"));
            assertEquals("SPAWN", start.getString("startMethod"));
            RecordedEvent exit = single(named(events, "multiprocessing4j.ProcessExit"), e -> e.getLong("pid") == victim);
            assertEquals(-9, exit.getInt("exitCode"));
            assertEquals(3, named(events, "multiprocessing4j.ProcessStart").size(), "two workers and a replacement");
            assertEquals(3, named(events, "multiprocessing4j.ProcessExit").size(), "every worker ended by close()");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void a_worker_death_is_logged_at_DEBUG_on_the_pool_logger() throws Exception {
        Logger logger = Logger.getLogger("org.multiprocessing4j.pool");
        List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level before = logger.getLevel();
        logger.setLevel(Level.FINE);
        logger.addHandler(handler);
        try {
            long victim = runTasksAndKillAWorker();
            List<LogRecord> seen;
            synchronized (records) { // the pool's threads may still log while we read: read one copy
                seen = List.copyOf(records);
            }
            List<LogRecord> deaths = seen.stream().filter(r -> r.getLevel() == Level.FINE && r.getMessage().contains("(pid " + victim + ") died")).toList();
            assertEquals(1, deaths.size(), "records: " + seen.stream().map(LogRecord::getMessage).toList());
            assertTrue(deaths.getFirst().getMessage().contains("exit code -9"), deaths.getFirst().getMessage());
            assertTrue(deaths.getFirst().getMessage().contains("replaced"), deaths.getFirst().getMessage());
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(before);
        }
    }

    @Test
    void tagged_output_prefixes_each_line_with_the_process_name_and_pid_and_the_default_copies_it_as_is() throws Exception {
        try (Context tagged = Context.builder().tagOutput(true).build(); CapturedOutput output = new CapturedOutput()) {
            Process p = tagged.process("tagged-child", () -> {
                System.out.print("one\ntwo\n");
                System.out.flush();
                System.err.println("three");
                System.out.print("partial");
            });
            assertEquals(0, run(p));
            Process plain = new Process("plain-child", () -> System.out.println("raw-line"));
            assertEquals(0, run(plain));
            String tag = "[tagged-child " + p.pid().getAsLong() + "] ";
            assertTrue(output.out().contains(tag + "one\n" + tag + "two\n" + tag + "partial"), output.out());
            assertTrue(output.err().contains(tag + "three\n"), output.err());
            assertTrue(output.out().contains("raw-line\n"), output.out());
            assertFalse(output.out().contains("] raw-line"), output.out());
        }
    }

    @Test
    void logged_output_goes_line_by_line_to_the_output_logger_instead_of_System_out() throws Exception {
        Logger logger = Logger.getLogger("org.multiprocessing4j.output");
        List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try (Context logged = Context.builder().logOutput(true).build(); CapturedOutput output = new CapturedOutput()) {
            Process p = logged.process("logged-child", () -> {
                System.out.println("to-the-log");
                System.err.println("an {0} error");
            });
            assertEquals(0, run(p));
            String tag = "[logged-child " + p.pid().getAsLong() + "] ";
            List<String> lines;
            synchronized (records) {
                lines = records.stream().map(r -> r.getLevel() + " " + r.getMessage()).collect(Collectors.toList());
            }
            assertTrue(lines.contains("INFO " + tag + "to-the-log"), lines.toString());
            assertTrue(lines.contains("WARNING " + tag + "an {0} error"), lines.toString());
            assertFalse(output.out().contains("to-the-log"), output.out());
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Test
    void tagged_lines_of_two_children_never_mix_even_when_a_read_cuts_a_line() throws Exception {
        try (Context tagged = Context.builder().tagOutput(true).build(); CapturedOutput output = new CapturedOutput()) {
            List<Process> children = new ArrayList<>();
            for (String letter : List.of("A", "B")) {
                children.add(tagged.process("mix" + letter, () -> {
                    String block = (letter.repeat(999) + "\n").repeat(20); // System.out writes it in 8 KiB pieces, cutting lines
                    for (int i = 0; i < 200; i++) {
                        System.out.print(block);
                    }
                    System.out.flush();
                }));
            }
            for (Process p : children) {
                p.start();
            }
            for (Process p : children) {
                p.join(HANG);
                assertEquals(0, p.exitCode());
            }
            String lineA = "[mixA " + children.get(0).pid().getAsLong() + "] " + "A".repeat(999);
            String lineB = "[mixB " + children.get(1).pid().getAsLong() + "] " + "B".repeat(999);
            List<String> mixed = output.out().lines().filter(l -> (l.contains("AAAA") || l.contains("BBBB"))
                    && !l.equals(lineA) && !l.equals(lineB)).limit(3).toList();
            assertEquals(List.of(), mixed, "lines cut by a read were written in two pieces, another child's between");
            assertEquals(4000, output.out().lines().filter(lineA::equals).count());
            assertEquals(4000, output.out().lines().filter(lineB::equals).count());
        }
    }

    @Test
    void a_logged_line_longer_than_a_piece_is_cut_between_characters() throws Exception {
        Logger logger = Logger.getLogger("org.multiprocessing4j.output");
        List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try (Context logged = Context.builder().logOutput(true).systemProperty("stdout.encoding", "UTF-8").build()) {
            Process p = logged.process("euro", () -> System.out.println("\u20ac".repeat(30_000)));
            assertEquals(0, run(p));
            StringBuilder all = new StringBuilder();
            synchronized (records) {
                for (LogRecord r : records) {
                    if (r.getMessage().startsWith("[euro ")) {
                        all.append(r.getMessage().substring(r.getMessage().indexOf("] ") + 2));
                    }
                }
            }
            // NOTE: a cut at exactly 64 KiB fell inside a 3-byte character, which decoded to replacement characters
            assertEquals("\u20ac".repeat(30_000), all.toString());
        } finally {
            logger.removeHandler(handler);
        }
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    private static RecordedEvent single(List<RecordedEvent> events, java.util.function.Predicate<RecordedEvent> which) {
        List<RecordedEvent> found = events.stream().filter(which).toList();
        assertEquals(1, found.size(), "expected one matching event among " + events);
        return found.getFirst();
    }
}
