package org.multiprocessing4j;

import java.time.Duration;

/**
 * A parent JVM for the test that kills a pool's owner: starts {@code Pool(2)}, gives both workers a task
 * that sleeps forever, prints {@code pids <worker> <worker>} once both run, then waits to be killed.
 */
public final class PoolParentMain {
    private PoolParentMain() {
    }

    public static void main(String[] args) throws Exception {
        Pool pool = new Pool(2);
        pool.applyAsync(() -> {
            Thread.sleep(Duration.ofHours(1));
            return 1;
        });
        pool.applyAsync(() -> {
            Thread.sleep(Duration.ofHours(1));
            return 2;
        });
        PoolStats stats;
        while ((stats = pool.stats()).workers().stream().filter(PoolStats.WorkerStats::busy).count() < 2) {
            Thread.sleep(10);
        }
        System.out.println("pids " + stats.workers().get(0).pid() + " " + stats.workers().get(1).pid());
        System.out.flush();
        Thread.sleep(Duration.ofHours(1));
    }
}
