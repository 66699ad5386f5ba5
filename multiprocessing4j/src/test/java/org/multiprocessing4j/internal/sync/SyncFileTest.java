package org.multiprocessing4j.internal.sync;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ProcessError;

/**
 * A sync file's handle: a decoded copy maps the same memory on first use, and refuses clearly a file of
 * another kind or layout version, or one that is gone.
 */
class SyncFileTest {
    @Test
    void a_decoded_copy_maps_the_same_memory_on_first_use() throws Exception {
        SyncFile file = SyncFile.create(SyncKind.EVENT, SharedEvent.BYTES, segment -> { });
        try {
            SyncFile copy = roundTrip(file);
            copy.segment().set(JAVA_INT, SyncFile.BASE, 7);
            assertEquals(7, file.segment().get(JAVA_INT, SyncFile.BASE));
            copy.close();
            assertTrue(Files.exists(file.path()), "a copy's close does not remove the file");
        } finally {
            file.close();
        }
        assertFalse(Files.exists(file.path()), "the creator's close removes it");
    }

    @Test
    void a_file_of_another_kind_is_refused_naming_both_kinds() throws Exception {
        SyncFile file = SyncFile.create(SyncKind.LOCK, RobustLock.BYTES, segment -> { });
        try {
            SyncFile copy = roundTrip(file);
            file.segment().set(JAVA_INT, SyncLayout.KIND_OFFSET, SyncKind.BARRIER.code());
            ProcessError e = assertThrows(ProcessError.class, copy::segment);
            assertTrue(e.getMessage().contains("holds a barrier, not a lock") && e.getMessage().contains(file.path().toString()),
                    e.getMessage());
        } finally {
            file.close();
        }
    }

    @Test
    void a_file_of_another_layout_version_is_refused_naming_the_version() throws Exception {
        SyncFile file = SyncFile.create(SyncKind.LOCK, RobustLock.BYTES, segment -> { });
        try {
            SyncFile copy = roundTrip(file);
            file.segment().set(JAVA_INT, 8, 99);
            ProcessError e = assertThrows(ProcessError.class, copy::segment);
            assertTrue(e.getMessage().contains("version 99"), e.getMessage());
        } finally {
            file.close();
        }
    }

    @Test
    void a_copy_of_a_closed_file_says_it_is_gone() throws Exception {
        SyncFile file = SyncFile.create(SyncKind.LOCK, RobustLock.BYTES, segment -> { });
        SyncFile copy = roundTrip(file);
        file.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, copy::segment);
        assertTrue(e.getMessage().contains("gone"), e.getMessage());
        assertThrows(IllegalStateException.class, file::segment);
    }

    private static SyncFile roundTrip(SyncFile file) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(file);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (SyncFile) in.readObject();
        }
    }
}
