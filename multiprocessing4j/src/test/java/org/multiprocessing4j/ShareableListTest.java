package org.multiprocessing4j;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ShareableList: CPython's item types and fixed storage, attach by name and by handle in real child JVMs. */
class ShareableListTest extends ChildProcessTestBase {

    @Test
    void items_of_every_type_read_back_with_their_type_in_a_child_and_its_writes_come_back() throws Exception {
        List<Object> items = Arrays.asList(null, 7, 1L << 40, 2.5, true, "héllo", new byte[] {1, 2, 3});
        try (ShareableList list = ShareableList.create(items)) {
            try {
                assertEquals(7, list.size());
                assertNull(list.get(0));
                assertEquals(Integer.valueOf(7), list.get(1));
                assertEquals(Long.valueOf(1L << 40), list.get(2));
                assertEquals(2.5, list.get(3));
                assertEquals(Boolean.TRUE, list.get(4));
                assertEquals("héllo", list.get(5));
                assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) list.get(6));
                String name = list.name();
                Process child = new Process(ChildBodies.checked(() -> {
                    try (ShareableList mine = ShareableList.attach(name)) {
                        if (!"héllo".equals(mine.get(5)) || !Integer.valueOf(7).equals(mine.get(1))) {
                            throw new IllegalStateException("child read " + mine);
                        }
                        mine.set(0, "ab");          // null's 8 bytes hold a short string
                        mine.set(1, mine.get(1) instanceof Integer i ? i + 1 : -1);
                        mine.set(5, "bye");
                        mine.set(6, null);
                    }
                    list.set(3, -1.0);               // the captured handle attaches too
                    list.close();
                }));
                assertEquals(0, run(child));
                assertEquals(Arrays.asList("ab", 8, 1L << 40, -1.0, true, "bye", null), list);
                assertEquals(1, list.count("bye"));
                assertEquals(1, list.indexOf(8));
            } finally {
                list.unlink();
            }
        }
    }

    @Test
    void equals_and_hashCode_compare_byte_arrays_by_content_so_an_attached_copy_equals_the_list() throws Exception {
        try (ShareableList list = ShareableList.create(Arrays.asList(1, new byte[] {1, 2, 3}, "x", null))) {
            try (ShareableList attached = ShareableList.attach(list.name())) {
                assertEquals(list.hashCode(), list.hashCode(), "stable while unchanged");
                assertEquals(list, attached);
                assertEquals(list.hashCode(), attached.hashCode());
                assertEquals(list, Arrays.asList(1, new byte[] {1, 2, 3}, "x", null));
                assertFalse(list.equals(Arrays.asList(1, new byte[] {1, 2, 4}, "x", null)));
                assertFalse(list.equals(List.of(1)));
                list.set(0, 2);
                assertFalse(list.equals(Arrays.asList(1, new byte[] {1, 2, 3}, "x", null)), "a changed item");
            } finally {
                list.unlink();
            }
        }
    }

    @Test
    void index_of_and_contains_find_byte_arrays_by_content_as_count_does() throws Exception {
        try (ShareableList list = ShareableList.create(Arrays.asList(new byte[] {1, 2}, "x", new byte[] {1, 2}, null))) {
            try {
                assertEquals(2, list.count(new byte[] {1, 2}));
                assertEquals(0, list.indexOf(new byte[] {1, 2}));
                assertEquals(2, list.lastIndexOf(new byte[] {1, 2}));
                assertTrue(list.contains(new byte[] {1, 2}));
                assertFalse(list.contains(new byte[] {2, 1}));
                assertEquals(1, list.indexOf("x"));
                assertEquals(3, list.indexOf(null));
                assertEquals(-1, list.indexOf(7));
            } finally {
                list.unlink();
            }
        }
    }

    @Test
    void strings_and_bytes_keep_the_storage_they_had_at_creation_rounded_up_to_8_bytes() throws Exception {
        try (ShareableList list = ShareableList.create(List.of("abc", new byte[9], 1))) {
            try {
                list.set(0, "12345678");
                assertEquals("12345678", list.get(0));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> list.set(0, "123456789"));
                assertTrue(e.getMessage().contains("9 bytes") && e.getMessage().contains("item 0"), e.getMessage());
                list.set(1, new byte[16]);
                assertThrows(IllegalArgumentException.class, () -> list.set(1, new byte[17]));
                assertThrows(IllegalArgumentException.class, () -> list.set(2, "more than 8"));
                list.set(2, "8 bytes!");
                assertEquals("8 bytes!", list.get(2));
            } finally {
                list.unlink();
            }
        }
    }

    @Test
    void bad_input_gets_clear_exceptions() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShareableList.create(List.of(1, 2, new java.util.Date())));
        assertTrue(e.getMessage().contains("item 2") && e.getMessage().contains("java.util.Date"), e.getMessage());
        try (ShareableList list = ShareableList.create(List.of(1, 2))) {
            try {
                assertThrows(IndexOutOfBoundsException.class, () -> list.get(2));
                assertThrows(IndexOutOfBoundsException.class, () -> list.get(-1));
                assertThrows(IndexOutOfBoundsException.class, () -> list.set(5, 1));
                assertThrows(IllegalArgumentException.class, () -> list.set(0, 'c'));
                UnsupportedOperationException grow = assertThrows(UnsupportedOperationException.class, () -> list.add(3));
                assertTrue(grow.getMessage().contains("length is fixed"), grow.getMessage());
                assertThrows(UnsupportedOperationException.class, () -> list.remove(0));
                UnsupportedOperationException shrink = assertThrows(UnsupportedOperationException.class, () -> list.subList(0, 1).clear());
                assertTrue(shrink.getMessage().contains("length is fixed"), shrink.getMessage());
                assertEquals(List.of(1, 2), list);
            } finally {
                list.unlink();
            }
            assertThrows(IllegalStateException.class, () -> {
                list.close();
                list.get(0);
            });
        }
        assertThrows(NoSuchFileException.class, () -> ShareableList.attach("no-such-list-" + System.nanoTime()));
        try (SharedMemory plain = SharedMemory.create(64)) {
            try {
                IOException notAList = assertThrows(IOException.class, () -> ShareableList.attach(plain.name()));
                assertTrue(notAList.getMessage().contains("not a ShareableList"), notAList.getMessage());
            } finally {
                plain.unlink();
            }
        }
    }

    @Test
    void a_list_of_another_layout_version_is_refused_naming_both_versions() throws Exception {
        try (ShareableList list = ShareableList.create(List.of(1))) {
            try {
                list.shm().segment().set(JAVA_INT, 8, 5);
                IOException e = assertThrows(IOException.class, () -> ShareableList.attach(list.name()));
                assertTrue(e.getMessage().contains("version 5") && e.getMessage().contains("version 1"), e.getMessage());
            } finally {
                list.unlink();
            }
            assertFalse(Files.exists(SharedMemoryTest.file(list.name())));
        }
    }
}
