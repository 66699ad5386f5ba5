package org.multiprocessing4j.hazelcast;

import java.util.List;
import java.util.stream.IntStream;
import org.multiprocessing4j.Pool;

/**
 * A pool's JVM for the tests: connects to the cluster, takes the cluster lock {@code orphan} and maps slow
 * tasks until it is killed.
 */
final class ClusterClientMain {
    private ClusterClientMain() {
    }

    static void mapForever(String cluster, List<String> members, byte[] key) {
        try (HazelcastWorkers workers = HazelcastWorkers.builder().clusterName(cluster).members(members.toArray(String[]::new))
                .authkey(key).connect()) {
            // NOTE: the lock before the pool: the test takes the pool's worker queues as the sign that the lock is held.
            workers.data().lock("orphan").lock();
            try (Pool pool = Pool.builder().processes(3).context(workers.context()).build()) {
                pool.map(x -> {
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return x;
                }, IntStream.range(0, 100_000).boxed().toList(), 1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
