package org.multiprocessing4j.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.Queue;

/** A graph deeper than the thread's stack fails with an {@link IOException} and breaks nothing. */
class KryoDeepGraphTest {

    static final int DEEP = 200_000;

    /** A singly linked list: Kryo writes it one stack level (several frames) per node. */
    static final class Node {
        final Node next;

        Node(Node next) {
            this.next = next;
        }
    }

    static Node chain(int length) {
        Node n = null;
        for (int i = 0; i < length; i++) {
            n = new Node(n);
        }
        return n;
    }

    /** Runs {@code body} on a platform thread with {@code stackBytes} of stack; returns what it threw. */
    static Throwable onThread(long stackBytes, ThrowingRunnable body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "deep-graph", stackBytes);
        t.start();
        t.join();
        return failure.get();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** What a fresh JVM reports after encoding {@link #DEEP} nodes; "ok" parts when all is well. */
    static String encodeDeepGraphInAFreshJvm() {
        KryoSerializer codec = new KryoSerializer();
        String outcome;
        try {
            codec.toBytes(chain(DEEP));
            outcome = "encoded";
        } catch (Throwable e) {
            outcome = e.getClass().getName();
        }
        String buffer;
        try {
            buffer = new StringBuffer("ok").toString();
        } catch (Throwable e) {
            buffer = e.toString();
        }
        String after;
        try {
            byte[] b = codec.toBytes(List.of(1, 2));
            after = String.valueOf(codec.fromBytes(b, 0, b.length, KryoDeepGraphTest.class.getClassLoader()));
        } catch (Throwable e) {
            after = e.toString();
        }
        return outcome + "; StringBuffer " + buffer + "; then " + after;
    }

    @Test
    void aFreshChildJvmGetsAnIOExceptionAndKeepsAWorkingStringBuffer() throws Exception {
        try (Context kryo = Context.builder().serializer(KryoSerializer.class).build(); Queue<String> report = kryo.queue()) {
            Process p = kryo.process(() -> {
                try {
                    report.put(encodeDeepGraphInAFreshJvm());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            p.start();
            String outcome;
            try {
                outcome = report.get(Duration.ofSeconds(60));
            } finally {
                p.join(Duration.ofSeconds(60));
                if (p.isAlive()) {
                    p.kill();
                    p.join(Duration.ofSeconds(10));
                }
            }
            assertEquals("java.io.IOException; StringBuffer ok; then [1, 2]", outcome);
            assertEquals(0, p.exitCode());
        }
    }

    @Test
    void encodingTooDeepAGraphThrowsAShortIOException() throws Exception {
        KryoSerializer codec = new KryoSerializer();
        Throwable thrown = onThread(512 * 1024, () -> codec.toBytes(chain(DEEP)));
        IOException e = assertThrows(IOException.class, () -> {
            throw thrown;
        });
        assertTrue(e.getMessage().contains("too deep"), e.getMessage());
        assertTrue(e.getMessage().length() < 2_000, "message of " + e.getMessage().length() + " chars");
        assertEquals("ok", new StringBuffer("ok").toString());
        byte[] b = codec.toBytes(List.of(1));
        assertEquals(List.of(1), codec.fromBytes(b, 0, b.length, getClass().getClassLoader()));
    }

    @Test
    void decodingTooDeepAGraphThrowsAnIOExceptionAndALargerStackDecodesIt() throws Exception {
        KryoSerializer codec = new KryoSerializer();
        int length = 50_000;
        AtomicReference<byte[]> bytes = new AtomicReference<>();
        long bigStack = 512L * 1024 * 1024;
        Throwable writeFailure = onThread(bigStack, () -> bytes.set(codec.toBytes(chain(length))));
        if (writeFailure != null) {
            throw new AssertionError("could not write with a large stack", writeFailure);
        }
        byte[] data = bytes.get();
        ClassLoader loader = getClass().getClassLoader();

        Throwable thrown = onThread(256 * 1024, () -> codec.fromBytes(data, 0, data.length, loader));
        IOException e = assertThrows(IOException.class, () -> {
            throw thrown;
        });
        assertTrue(e.getMessage().contains("too deep"), e.getMessage());

        AtomicReference<Object> decoded = new AtomicReference<>();
        Throwable readFailure = onThread(bigStack, () -> decoded.set(codec.fromBytes(data, 0, data.length, loader)));
        if (readFailure != null) {
            throw new AssertionError("could not read with a large stack", readFailure);
        }
        int n = 0;
        for (Node node = (Node) decoded.get(); node != null; node = node.next) {
            n++;
        }
        assertEquals(length, n);
        assertNotNull(new StringBuffer());
    }
}
