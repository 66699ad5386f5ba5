package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.internal.sharedmem.SegmentRemoval;
import org.multiprocessing4j.internal.shm.IncompatibleLayoutException;

/** What the sweep of segment files leaves alone: files it cannot judge are not removed as abandoned. */
class SharedMemorySweepTest extends ChildProcessTestBase {

    /**
     * The sweep promises to leave files of another layout version alone, and removes only unfinished ones
     * (header never published) after a minute. A published file smaller than this version's 16 KiB header
     * (another version's, here "MP4JSHM2") was judged unpublished by its size alone and removed.
     */
    @Test
    void an_old_published_segment_file_smaller_than_this_versions_header_is_left_alone() throws Exception {
        String name = SharedMemoryTest.uniqueName("foreign");
        Path file = SharedMemoryTest.file(name);
        ByteBuffer header = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(0, 0x324D_4853_4A34_504DL).putInt(8, 2).putInt(12, 64).putLong(16, 4096 - 64);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(file, header.array());
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
            SegmentRemoval.sweep(false);
            assertTrue(Files.exists(file), "the sweep removed a published file of another layout as abandoned");
            assertThrows(IncompatibleLayoutException.class, () -> SharedMemory.attach(name).close());
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
