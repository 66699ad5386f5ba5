package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shared values, arrays and segments at their corners: files damaged by another process. */
class SharedMemoryCornersTest extends ChildProcessTestBase {

    /** Runs {@code call}; an exception (InternalError included) is the expected outcome, a return is not. */
    private static void mustThrow(String what, ChildBodies.Body call, List<String> wrong) {
        try {
            call.run();
            wrong.add(what + " returned normally on a truncated file");
        } catch (Throwable expected) {
            // any exception will do: what must never happen is a JVM crash (SIGBUS)
        }
    }

    private static void truncate(Path file) throws Exception {
        java.lang.Process p = new ProcessBuilder("truncate", "-s", "0", file.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("truncate " + file + " failed");
        }
    }

    @Test
    void a_value_or_array_whose_file_another_process_truncated_throws_on_its_atomics_and_never_crashes_the_jvm()
            throws Exception {
        // NOTE: in a fresh child, so these calls run in the interpreter, whose native CAS is not guarded
        Process child = new Process(ChildBodies.checked(() -> {
            IntValue iv = Value.ofInt(1);
            LongValue lv = Value.ofLong(1);
            DoubleValue dv = Value.ofDouble(1);
            FloatValue fv = Value.ofFloat(1);
            IntArray ia = Array.ofInts(4);
            LongArray la = Array.ofLongs(4);
            DoubleArray da = Array.ofDoubles(4);
            FloatArray fa = Array.ofFloats(4);
            List<SharedCells> all = List.of(iv, lv, dv, fv, ia, la, da, fa);
            List<Path> files = new ArrayList<>();
            for (SharedCells c : all) {
                files.add(c.cells.path());
                truncate(c.cells.path());
            }
            List<String> wrong = new ArrayList<>();
            // NOTE: not the values' locks: RobustLock.tryLockFree's CAS comes first on purpose (see its notes)
            mustThrow("IntValue.compareAndSet", () -> iv.compareAndSet(1, 2), wrong);
            mustThrow("LongValue.compareAndSet", () -> lv.compareAndSet(1, 2), wrong);
            mustThrow("DoubleValue.compareAndSet", () -> dv.compareAndSet(1, 2), wrong);
            mustThrow("FloatValue.compareAndSet", () -> fv.compareAndSet(1, 2), wrong);
            mustThrow("IntArray.compareAndSet", () -> ia.compareAndSet(3, 0, 2), wrong);
            mustThrow("LongArray.compareAndSet", () -> la.compareAndSet(3, 0, 2), wrong);
            mustThrow("DoubleArray.compareAndSet", () -> da.compareAndSet(3, 0, 2), wrong);
            mustThrow("FloatArray.compareAndSet", () -> fa.compareAndSet(3, 0, 2), wrong);
            mustThrow("LongValue.getAndAdd", () -> lv.getAndAdd(1), wrong);
            mustThrow("IntArray.getAndAdd", () -> ia.getAndAdd(0, 1), wrong);
            mustThrow("DoubleValue.getAndAdd", () -> dv.getAndAdd(1), wrong);
            for (SharedCells c : all) {
                try {
                    c.close();
                } catch (RuntimeException | Error bestEffort) {
                    // the file is damaged; what matters is that nothing crashed
                }
            }
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            if (!wrong.isEmpty()) {
                throw new IllegalStateException(String.join("; ", wrong));
            }
        }));
        assertEquals(0, run(child), "the child must survive every call (exit 134 or -6 is a SIGBUS crash)");
    }

    @Test
    void a_segment_or_list_whose_file_another_process_truncated_throws_on_use_and_close_and_never_crashes_the_jvm()
            throws Exception {
        Process child = new Process(ChildBodies.checked(() -> {
            String pid = Long.toString(ProcessHandle.current().pid());
            SharedMemory shm = SharedMemory.create("corners-shm-" + pid, 1 << 16);
            ShareableList list = ShareableList.create("corners-list-" + pid, List.of(1, "abcdefgh", 2.0));
            Path shmFile = SharedMemoryTest.file(shm.name());
            Path listFile = SharedMemoryTest.file(list.name());
            truncate(shmFile);
            truncate(listFile);
            List<String> wrong = new ArrayList<>();
            mustThrow("SharedMemory read", () -> shm.segment().get(java.lang.foreign.ValueLayout.JAVA_LONG, 8), wrong);
            mustThrow("ShareableList.get", () -> list.get(1), wrong);
            mustThrow("ShareableList.set", () -> list.set(0, 5), wrong);
            for (AutoCloseable c : List.<AutoCloseable>of(shm, list)) {
                try {
                    c.close();
                } catch (Exception | Error bestEffort) {
                    // damaged; nothing may crash
                }
            }
            shm.unlink();
            list.unlink();
            Files.deleteIfExists(shmFile);
            Files.deleteIfExists(listFile);
            if (!wrong.isEmpty()) {
                throw new IllegalStateException(String.join("; ", wrong));
            }
        }));
        assertEquals(0, run(child), "the child must survive every call (exit 134 or -6 is a SIGBUS crash)");
    }
}
