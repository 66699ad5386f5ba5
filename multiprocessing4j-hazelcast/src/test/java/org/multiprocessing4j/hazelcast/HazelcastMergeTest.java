package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.Pool;

/**
 * A member frozen (SIGSTOP) until the cluster drops it, then resumed: the two sides merge, one member
 * under a new UUID, and both must serve pool workers again. Two WorkerMain member JVMs, started and killed by the test.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class HazelcastMergeTest {
    private static final Duration HANG = MemberCluster.HANG;

    private static void signal(String signal, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor(), "kill -" + signal + " " + pid);
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + HANG + ": " + what);
            }
            Thread.sleep(200);
        }
    }

    private static Set<UUID> uuids(com.hazelcast.cluster.Cluster members) {
        return new TreeSet<>(members.getMembers().stream().map(com.hazelcast.cluster.Member::getUuid).toList());
    }

    @Test
    void aMemberThatMergesBackAfterASplitStartsWorkersAgain() throws Exception {
        try (MemberCluster cluster = new MemberCluster(2, 1)) {
            var members = cluster.workers.hazelcast().getCluster();
            long victim = cluster.members.get(1).pid().orElseThrow();
            Set<UUID> before = uuids(members);
            signal("STOP", victim);
            try {
                await("the frozen member is dropped", () -> members.getMembers().size() == 1);
            } finally {
                signal("CONT", victim);
            }
            await("the resumed member merges back", () -> cluster.workers.workerMembers() == 2);
            // The member of the smaller side merges into the other's cluster: which one is Hazelcast's choice.
            Set<UUID> after = uuids(members);
            assertNotEquals(before, after, "Hazelcast kept both members' UUIDs: this test shows nothing");
            try (Pool pool = Pool.builder().processes(2).context(cluster.context(Duration.ofSeconds(20))).build()) {
                // NOTE: both workers live before the map: a worker that started only after the first had done all 16
                // tasks (a loaded machine: a clean-clone CI run under three other builds) read as a member not serving
                await("both workers of the pool are live: " + pool.stats().workers(), () -> pool.stats().workers().size() == 2);
                List<Long> pids = pool.map(x -> {
                    java.util.concurrent.locks.LockSupport.parkNanos(300_000_000L);
                    return ProcessHandle.current().pid();
                }, IntStream.range(0, 16).boxed().toList(), 1);
                assertEquals(new TreeSet<>(cluster.pids()), new TreeSet<>(Set.copyOf(pids)), "the pool's workers ran on: " + new TreeSet<>(pids));
            }
        }
    }
}
