package org.multiprocessing4j.internal.queue;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The journal of a queue cursor: a holder that dies at any point of {@link Cursor#advanceItem} leaves a
 * position and a count that {@link Cursor#repair()} makes agree. Each test stops the stores where a
 * SIGKILL could (the layout is in Cursor's doc: +0 position, +8 count, +16 pending target, +24 count before).
 */
class CursorTest {
    private final MemorySegment file = Arena.ofAuto().allocate(64, 8);
    private final Cursor cursor = new Cursor(file, 0);

    @Test
    void a_completed_advance_needs_no_repair() {
        cursor.advanceItem(16, 0);
        assertFalse(cursor.repair());
        assertEquals(16, cursor.position());
        assertEquals(1, cursor.count());
    }

    @Test
    void a_pad_moves_the_position_and_not_the_count() {
        cursor.advanceItem(16, 0);
        cursor.advancePosition(64);
        assertFalse(cursor.repair());
        assertEquals(64, cursor.position());
        assertEquals(1, cursor.count());
    }

    @Test
    void death_after_pending_but_before_the_count_changed_nothing_to_undo() {
        cursor.advanceItem(16, 0);
        journal(40, 1);
        assertTrue(cursor.repair());
        assertEquals(16, cursor.position());
        assertEquals(1, cursor.count());
    }

    @Test
    void death_after_the_count_but_before_the_position_takes_the_count_back() {
        cursor.advanceItem(16, 0);
        journal(40, 1);
        file.set(JAVA_LONG, 8, 2); // count stored, position not
        assertTrue(cursor.repair());
        assertEquals(16, cursor.position());
        assertEquals(1, cursor.count());
        assertFalse(cursor.repair(), "pending is cleared by the repair");
    }

    @Test
    void death_after_the_position_but_before_pending_is_cleared_keeps_the_move() {
        cursor.advanceItem(16, 0);
        journal(40, 1);
        file.set(JAVA_LONG, 8, 2);
        file.set(JAVA_LONG, 0, 40);
        assertTrue(cursor.repair());
        assertEquals(40, cursor.position());
        assertEquals(2, cursor.count());
    }

    @Test
    void death_before_pending_was_set_changed_nothing_visible() {
        cursor.advanceItem(16, 0);
        file.set(JAVA_LONG, 24, 1); // the count before is written, pending still 0
        assertFalse(cursor.repair());
        assertEquals(16, cursor.position());
        assertEquals(1, cursor.count());
    }

    /** Writes the journal of a move over one item to {@code position} from count {@code before}, and sets pending. */
    private void journal(long position, long before) {
        file.set(JAVA_LONG, 24, before);
        file.set(JAVA_LONG, 16, position);
    }
}
