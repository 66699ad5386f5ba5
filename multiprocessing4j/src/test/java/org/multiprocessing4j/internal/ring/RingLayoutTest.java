package org.multiprocessing4j.internal.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;
import org.multiprocessing4j.internal.shm.IncompatibleLayoutException;
import org.multiprocessing4j.internal.shm.SharedFile;
import org.multiprocessing4j.internal.shm.ShmNames;

/** Attaching checks the header and says clearly what is wrong, naming the file. */
class RingLayoutTest extends ChildProcessTestBase {

    @Test
    void a_file_that_is_not_a_ring_is_refused_naming_its_magic() throws Exception {
        try (SharedFile other = SharedFile.create(RingLayout.fileSize(1024))) {
            try {
                IncompatibleLayoutException e = assertThrows(IncompatibleLayoutException.class, () -> SpscRing.attach(other.path()));
                assertTrue(e.getMessage().contains(other.path().toString()), e.getMessage());
                assertTrue(e.getMessage().contains("not an SPSC ring") && e.getMessage().contains("0x0000000000000000"), e.getMessage());
            } finally {
                other.unlink();
            }
        }
    }

    @Test
    void a_ring_of_another_layout_version_is_refused_naming_both_versions() throws Exception {
        try (SpscRing ring = SpscRing.create(1024)) {
            try {
                ring.segment().set(ValueLayout.JAVA_INT, RingLayout.VERSION_OFFSET, 1);
                IncompatibleLayoutException e = assertThrows(IncompatibleLayoutException.class, () -> SpscRing.attach(ring.path()));
                assertTrue(e.getMessage().contains("version 1, this library reads version 3"), e.getMessage());
            } finally {
                ring.unlink();
            }
        }
    }

    @Test
    void a_capacity_that_contradicts_the_file_size_is_refused() throws Exception {
        try (SpscRing ring = SpscRing.create(1024)) {
            try {
                ring.segment().set(ValueLayout.JAVA_LONG, RingLayout.CAPACITY_OFFSET, 4096L);
                IncompatibleLayoutException e = assertThrows(IncompatibleLayoutException.class, () -> SpscRing.attach(ring.path()));
                assertTrue(e.getMessage().contains("capacity 4096"), e.getMessage());
            } finally {
                ring.unlink();
            }
        }
    }

    @Test
    void a_file_smaller_than_the_header_is_refused() throws Exception {
        try (SharedFile tiny = SharedFile.create(64)) {
            try {
                IncompatibleLayoutException e = assertThrows(IncompatibleLayoutException.class, () -> SpscRing.attach(tiny.path()));
                assertTrue(e.getMessage().contains("smaller than a ring header"), e.getMessage());
            } finally {
                tiny.unlink();
            }
        }
    }

    @Test
    void attaching_a_ring_that_was_unlinked_throws_NoSuchFileException_and_maps_nothing() throws Exception {
        var path = ShmNames.newPath();
        assertThrows(NoSuchFileException.class, () -> SpscRing.attach(path));
        assertFalse(Files.exists(path));
    }

    @Test
    void the_header_groups_sit_on_separate_cache_line_pairs_and_the_data_is_aligned() {
        long[] groups = {0, RingLayout.WRITER_END, RingLayout.READER_END, RingLayout.TAIL, RingLayout.HEAD,
            RingLayout.DATA_SEQUENCE, RingLayout.SPACE_SEQUENCE, RingLayout.DATA};
        for (int i = 1; i < groups.length; i++) {
            assertEquals(0, groups[i] % 128, "group at " + groups[i]);
            assertTrue(groups[i] - groups[i - 1] >= 128);
        }
        assertEquals(RingLayout.HEADER_BYTES, RingLayout.DATA);
    }
}
