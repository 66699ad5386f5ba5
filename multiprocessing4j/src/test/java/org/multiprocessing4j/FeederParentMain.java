package org.multiprocessing4j;

/**
 * A parent JVM for {@link QueueFeederExitTest}: starts a child that puts 100 items into a 1 KiB unbounded
 * queue nobody takes from (most wait in the child's feeder) and returns, so the child's exit waits for
 * them; prints {@code pid <child>} once the child has put them, then sleeps until it is killed. With the
 * argument {@code root}: puts 1,000 items into such a queue itself, prints {@code put} and returns.
 */
public final class FeederParentMain {
    private FeederParentMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("root")) {
            // NOTE: this JVM itself buffers items nobody takes, then returns: its exit waits for them
            Queue<Integer> own = new Queue<>(0, 1024);
            for (int i = 0; i < 1000; i++) {
                own.put(i);
            }
            System.out.println("put");
            System.out.flush();
            return;
        }
        Queue<Integer> q = new Queue<>(0, 1024);
        Event put = new Event();
        Process child = new Process(putsMoreThanFitsThenSignals(q, put));
        child.start();
        put.await();
        System.out.println("pid " + child.pid().orElseThrow());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** A child's target: puts 100 items into {@code q} (a 1 KiB queue: most wait in its feeder), sets {@code put}, returns. */
    static SerializableRunnable putsMoreThanFitsThenSignals(Queue<Integer> q, Event put) {
        return () -> {
            try {
                for (int i = 0; i < 100; i++) {
                    q.put(i);
                }
                put.set();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
