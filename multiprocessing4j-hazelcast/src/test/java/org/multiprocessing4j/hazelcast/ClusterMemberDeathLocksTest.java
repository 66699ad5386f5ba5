package org.multiprocessing4j.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiprocessing4j.AsyncResult;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Lock;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.Queue;
import org.multiprocessing4j.RLock;
import org.multiprocessing4j.WorkerDiedException;

/** Probes: a member that dies while one of its tasks holds a cluster lock. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterMemberDeathLocksTest {
    @Test
    void locksHeldByATaskOnAMemberThatDiesAreReleased() throws Exception {
        try (MemberCluster cluster = new MemberCluster(2, 1)) {
            Context context = cluster.context(Duration.ofSeconds(20));
            Lock lock = context.lock();
            RLock rlock = context.rLock();
            Queue<Long> started = context.queue();
            try (Pool pool = Pool.builder().processes(2).context(context).build()) {
                AsyncResult<Integer> holder = pool.applyAsync(() -> {
                    lock.acquire();
                    rlock.acquire();
                    started.put(ProcessHandle.current().pid());
                    Thread.sleep(120_000);
                    return 0;
                });
                long pid = started.get(Duration.ofSeconds(60));
                org.multiprocessing4j.Process victim = cluster.members.stream().filter(p -> p.pid().orElse(-1) == pid).findFirst().orElseThrow();
                victim.kill();
                ExecutionException died = assertThrows(ExecutionException.class, () -> holder.get(Duration.ofSeconds(60)));
                assertInstanceOf(WorkerDiedException.class, died.getCause());
                assertTrue(lock.acquire(Duration.ofSeconds(30)), "the dead member's Lock was not released");
                assertTrue(rlock.acquire(Duration.ofSeconds(30)), "the dead member's RLock was not released");
                rlock.release();
                lock.release();
                assertEquals(7, pool.apply(() -> 7));
            }
        }
    }
}
