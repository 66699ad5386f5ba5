package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.NoSuchFileException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Named SharedMemory and ShareableList at their corners: calls from an interrupted thread, closed objects. */
class SharedMemoryNamedCornersTest extends ChildProcessTestBase {

    /**
     * {@code unlink()} read the segment's incarnation through a {@code FileChannel}, which refuses to work for a
     * thread whose interrupt flag is set ({@code ClosedByInterruptException}): the unlink in a {@code finally} after
     * the usual {@code catch (InterruptedException e) { Thread.currentThread().interrupt(); }} threw
     * {@code UncheckedIOException} and left the segment's name behind. Removing a name does not block; the flag is
     * meant for the caller's next wait, and must be kept.
     */
    @Test
    void unlink_from_a_thread_whose_interrupt_flag_is_set_removes_the_name_and_keeps_the_flag() throws Exception {
        SharedMemory shm = SharedMemory.create(100);
        ShareableList list = ShareableList.create(List.of(1, "one"));
        try {
            Thread.currentThread().interrupt();
            shm.close();
            shm.unlink();
            list.close();
            list.unlink();
            assertTrue(Thread.interrupted(), "the interrupt flag was kept (and is cleared here)");
            assertThrows(NoSuchFileException.class, () -> SharedMemory.attach(shm.name()), "the segment's name is gone");
            assertThrows(NoSuchFileException.class, () -> ShareableList.attach(list.name()), "the list's name is gone");
        } finally {
            boolean ignored = Thread.interrupted();
            shm.unlink();
            list.unlink();
        }
        assertFalse(Thread.currentThread().isInterrupted());
    }

    /**
     * {@code toString()} of a closed list read its items and threw {@link IllegalStateException}: printing one in a
     * log line or an assertion message after it was closed failed (SharedMemory's own toString says "closed").
     */
    @Test
    void a_closed_list_prints_its_name_instead_of_throwing() throws Exception {
        ShareableList list = ShareableList.create(List.of(1, "one"));
        try {
            assertEquals("ShareableList[" + list.name() + "][1, one]", list.toString());
            list.close();
            assertEquals("ShareableList[" + list.name() + ", closed]", list.toString());
            assertThrows(IllegalStateException.class, () -> list.get(0), "the items stay unreadable");
        } finally {
            list.close();
            list.unlink();
        }
    }
}
