package org.multiprocessing4j;

import static org.multiprocessing4j.ChildBodies.checked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A pipe end handed to a child in its run order is the child's from then on, used or not: when the child
 * ends without using it, the other end sees EOF (or a broken pipe), as in Python, where the child's copy
 * of the end closes with it. Before reservations such an end had no owner and the other end waited forever.
 */
class PipeEndHandedToChildTest extends ChildProcessTestBase {

    @Test
    void a_child_that_fails_before_using_its_end_gives_the_parent_EOF() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection childEnd = pipe.right();
            Process child = new Process(checked(() -> {
                if (childEnd != null) {
                    throw new IllegalStateException("failed before sending (expected by the test)");
                }
            }));
            child.start();
            childEnd.close(); // the parent's copy: the child's is the last
            Connection parentEnd = pipe.left();
            assertTrue(parentEnd.poll(HANG), "end of file within " + HANG);
            assertThrows(EOFException.class, parentEnd::recv);
            assertNotEquals(0, joined(child));
        }
    }

    @Test
    void a_child_killed_before_using_its_end_gives_the_parent_EOF() throws Exception {
        try (Pipe pipe = Pipe.open(); Pipe started = Pipe.open(false)) {
            Connection childEnd = pipe.right();
            Connection startedSignal = started.right();
            Process child = new Process(checked(() -> {
                startedSignal.send("running");
                Thread.sleep(HANG.toMillis()); // never touches childEnd
                childEnd.send("too late");
            }));
            child.start();
            childEnd.close();
            assertEquals("running", started.left().recv());
            child.kill();
            Connection parentEnd = pipe.left();
            assertTrue(parentEnd.poll(HANG), "end of file within " + HANG);
            assertThrows(EOFException.class, parentEnd::recv);
            assertEquals(-9, joined(child));
        }
    }

    @Test
    void a_child_that_never_reads_its_end_breaks_the_parents_sends_once_the_ring_is_full() throws Exception {
        try (Pipe pipe = Pipe.open(false)) {
            Connection reader = pipe.left();
            Process child = new Process(checked(() -> {
                if (reader == null) {
                    throw new AssertionError();
                }
            }));
            child.start();
            reader.close();
            assertEquals(0, joined(child));
            Connection writer = pipe.right();
            byte[] block = new byte[64 << 10];
            CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
                try {
                    while (true) {
                        writer.sendBytes(block);
                    }
                } catch (Throwable t) {
                    return t;
                }
            });
            Throwable thrown = outcome.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertInstanceOf(IOException.class, thrown, "a broken pipe, as CPython's BrokenPipeError: " + thrown);
        }
    }

    @Test
    void a_child_hands_its_unused_end_on_to_its_own_child() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection end = pipe.right();
            Process child = new Process(checked(() -> {
                Process grandchild = new Process(checked(() -> end.send("from the grandchild")));
                grandchild.start();
                grandchild.join();
                if (grandchild.exitCode() != 0) {
                    throw new IllegalStateException("grandchild ended with " + grandchild.exitCode());
                }
            }));
            child.start();
            end.close();
            Connection parentEnd = pipe.left();
            assertEquals("from the grandchild", parentEnd.recv());
            assertThrows(EOFException.class, parentEnd::recv, "the grandchild's end closed with it");
            assertEquals(0, joined(child));
        }
    }

    @Test
    void an_end_handed_to_two_children_is_the_first_ones() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Connection end = pipe.right();
            Process first = new Process(checked(() -> end.send("from the first")));
            Process second = new Process(checked(() -> {
                try {
                    end.send("from the second");
                    System.exit(3);
                } catch (IOException e) {
                    // NOTE: "reserved for" the first child, or "already attached by" it if it sent first
                    System.exit(e.getMessage().contains("reserved for") || e.getMessage().contains("attached by") ? 7 : 4);
                }
            }));
            first.start();
            second.start();
            assertEquals(7, joined(second), "the second child's IOException says whose the end is");
            assertEquals(0, joined(first));
            assertEquals("from the first", pipe.left().recv());
        }
    }
}
