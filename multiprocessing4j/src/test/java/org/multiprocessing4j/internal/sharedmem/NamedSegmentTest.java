package org.multiprocessing4j.internal.sharedmem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;
import org.multiprocessing4j.internal.shm.ProcessStamp;

/** The attach-versus-removal handshake of NamedSegment, driven word by word. */
class NamedSegmentTest extends ChildProcessTestBase {

    static String name(String what) {
        return "unit-" + what + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @Test
    void an_attacher_backs_off_while_a_live_process_decides_removal_and_attaches_once_it_gives_up() throws Exception {
        try (NamedSegment segment = NamedSegment.create(name("backoff"), 64)) {
            try {
                long live = ProcessWord.of(ProcessStamp.of(ProcessHandle.current().parent().orElseThrow()));
                SegmentLayout.LONG.setVolatile(segment.header(), SegmentLayout.REMOVER, live);
                CompletableFuture<NamedSegment> attach = CompletableFuture.supplyAsync(() -> {
                    try {
                        return NamedSegment.attach(segment.name());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(200);
                assertFalse(attach.isDone(), "must wait for the decision");
                SegmentLayout.LONG.setVolatile(segment.header(), SegmentLayout.REMOVER, 0L);
                try (NamedSegment second = attach.get(HANG.toSeconds(), TimeUnit.SECONDS)) {
                    assertEquals(segment.incarnation(), second.incarnation());
                }
            } finally {
                segment.unlink();
            }
        }
    }

    @Test
    void an_attacher_clears_the_claim_of_a_remover_that_died_mid_decision() throws Exception {
        java.lang.Process gone = new ProcessBuilder("true").start();
        ProcessStamp stamp = ProcessStamp.of(gone.toHandle());
        gone.waitFor();
        try (NamedSegment segment = NamedSegment.create(name("dead-remover"), 64)) {
            try {
                SegmentLayout.LONG.setVolatile(segment.header(), SegmentLayout.REMOVER, ProcessWord.of(stamp));
                try (NamedSegment second = NamedSegment.attach(segment.name())) {
                    assertEquals(0L, (long) SegmentLayout.LONG.getVolatile(segment.header(), SegmentLayout.REMOVER));
                    assertEquals(64, second.size());
                }
            } finally {
                segment.unlink();
            }
        }
    }

    @Test
    void a_removal_decision_that_finds_a_live_attachment_removes_nothing_and_releases_its_claim() throws Exception {
        NamedSegment segment = NamedSegment.create(name("decision"), 64);
        try {
            NamedSegment again = NamedSegment.attach(segment.name());
            segment.close(); // this process still has one attachment
            assertFalse(SegmentRemoval.removeIfUnused(again.header(), again.path(), again.incarnation(), true));
            assertTrue(Files.exists(again.path()));
            assertEquals(0L, (long) SegmentLayout.LONG.getVolatile(again.header(), SegmentLayout.REMOVER));
            var path = again.path();
            long incarnation = again.incarnation();
            try (var file = org.multiprocessing4j.internal.shm.SharedFile.attach(path)) {
                again.close();
                assertTrue(SegmentRemoval.removeIfUnused(file.segment(), path, incarnation, true),
                        "with its tree counted as ended and no attachment left, it goes");
            }
            assertFalse(Files.exists(path));
        } finally {
            segment.unlink();
        }
    }
}
