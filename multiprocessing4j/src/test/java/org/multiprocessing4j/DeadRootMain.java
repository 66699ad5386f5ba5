package org.multiprocessing4j;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.Base64;

/**
 * An independent root JVM for {@link DeadRootFilesTest}. {@code rings}: makes a {@link Queue} holding one
 * item, a {@link Pipe} and a {@link Lock}, starts a child that uses the pipe and the queue, prints the queue's
 * serialized handle ({@code handle <base64>}) and {@code ready}, then waits for stdin (to be killed).
 * {@code touch}: makes and closes one queue (so it sweeps what dead trees left), prints {@code touched};
 * {@code touch-shared-memory}: the same with a {@link SharedMemory} segment only.
 */
public final class DeadRootMain {
    static final String ITEM = "left by a killed root";

    private DeadRootMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("touch")) {
            new Queue<Integer>().close();
            System.out.println("touched");
            return;
        }
        if (args[0].equals("touch-shared-memory")) {
            try (SharedMemory memory = SharedMemory.create(64)) {
                memory.unlink();
            }
            System.out.println("touched");
            return;
        }
        Queue<String> queue = new Queue<>();
        Pipe pipe = Pipe.open();
        Lock lock = new Lock();
        Connection childEnd = pipe.right();
        Process child = new Process(() -> {
            try {
                lock.acquire();
                lock.release();
                queue.put("from the child");
                childEnd.send("attached");
                Thread.sleep(Duration.ofHours(1));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        child.start();
        if (!"attached".equals(pipe.left().recv()) || !"from the child".equals(queue.get())) {
            throw new IllegalStateException("the child did not attach");
        }
        queue.put(ITEM);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(queue);
        }
        System.out.println("child " + child.pid().orElseThrow());
        System.out.println("handle " + Base64.getEncoder().encodeToString(bytes.toByteArray()));
        System.out.println("ready");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
    }
}
