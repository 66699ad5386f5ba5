package org.multiprocessing4j.internal.sharedmem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;

/** A create that fails removes its own file, and only that: never a newer segment that took the name meanwhile. */
class NamedSegmentFailedCreateTest extends ChildProcessTestBase {

    @Test
    void a_failed_create_leaves_a_newer_segment_of_the_same_name_alone() throws Exception {
        String name = NamedSegmentTest.name("failed-create");
        NamedSegment[] newer = new NamedSegment[1];
        try {
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> NamedSegment.create(name, 64, data -> {
                // meanwhile the name was removed (as the sweep removes a file left unfinished) and made anew
                try {
                    Files.delete(SegmentNames.path(name));
                    newer[0] = NamedSegment.create(name, 64);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                throw new IllegalStateException("fill failed (expected by the test)");
            }));
            assertEquals("fill failed (expected by the test)", thrown.getMessage());
            try (NamedSegment attached = NamedSegment.attach(name)) {
                assertEquals(newer[0].incarnation(), attached.incarnation(), "the newer segment is still under its name");
            }
        } finally {
            if (newer[0] != null) {
                newer[0].unlink();
                newer[0].close();
            }
        }
    }

    @Test
    void a_failed_create_removes_its_own_file() throws Exception {
        String name = NamedSegmentTest.name("failed-create-own");
        assertThrows(IllegalStateException.class, () -> NamedSegment.create(name, 64, data -> {
            throw new IllegalStateException("fill failed (expected by the test)");
        }));
        assertFalse(Files.exists(SegmentNames.path(name)));
    }
}
