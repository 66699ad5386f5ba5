package org.multiprocessing4j;

/**
 * A parent JVM for {@link QueueFeederExitTest}: starts a child that puts 100 items into a 1 KiB unbounded
 * queue nobody takes from (most wait in the child's feeder) and returns, so the child's exit waits for
 * them; prints {@code pid <child>} once the child has put them, then sleeps until it is killed.
 */
public final class FeederParentMain {
    private FeederParentMain() {
    }

    public static void main(String[] args) throws Exception {
        Queue<Integer> q = new Queue<>(0, 1024);
        Event put = new Event();
        Process child = new Process(() -> {
            try {
                for (int i = 0; i < 100; i++) {
                    q.put(i);
                }
                put.set();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        child.start();
        put.await();
        System.out.println("pid " + child.pid().orElseThrow());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
