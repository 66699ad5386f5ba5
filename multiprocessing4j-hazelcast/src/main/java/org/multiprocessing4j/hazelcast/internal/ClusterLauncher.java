package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.core.HazelcastInstance;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.internal.pool.TaskRunner;
import org.multiprocessing4j.internal.pool.WorkerLauncher;
import org.multiprocessing4j.internal.pool.WorkerLink;

/**
 * Starts one pool's workers on cluster members: picks a member ({@link ClusterTransport#pick}), sends its
 * worker host a signed START request and waits for the worker's first answer. Each worker holds one task
 * at a time ({@link #maxTasksPerWorker()}): a task sent to a member cannot be taken back, so none waits
 * there behind another while a worker elsewhere is idle. Thread-safe.
 */
final class ClusterLauncher implements WorkerLauncher {
    private final ClusterTransport transport;
    private final HazelcastInstance client;
    private final String serializer;
    private final Duration startTimeout;

    ClusterLauncher(ClusterTransport transport, HazelcastInstance client, String serializer, Duration startTimeout) {
        this.transport = transport;
        this.client = client;
        this.serializer = serializer;
        this.startTimeout = startTimeout;
    }

    @Override
    public int maxTasksPerWorker() {
        return 1;
    }

    @Override
    public WorkerLink launch(String name, SerializableRunnable initializer, int maxTasks, int slots) {
        byte[] init = TaskRunner.encodeInitializer(serializer, initializer);
        try {
            String linkId = UUID.randomUUID().toString();
            ClusterLink link = transport.open(startTimeout, m -> new ClusterLink(transport, client, name + "@" + m.getAddress(), linkId,
                    m.getUuid(), m.getAddress().toString(), ClusterTransport.pid(m), slots));
            transport.checkPresent(link);
            String control = Protocol.controlQueue(link.member());
            Protocol.Start start = new Protocol.Start(maxTasks, linkId, client.getLocalEndpoint().getUuid(), serializer, init);
            client.<byte[]>getQueue(control).add(transport.frames().seal(control, ThreadLocalRandom.current().nextLong(), start.encode()));
            if (!link.awaitFirst(startTimeout)) {
                link.kill();
                link.release();
                throw new IllegalStateException("the worker host of member " + link.memberAddress() + " did not start pool worker " + name
                        + " within " + startTimeout.toSeconds() + " s: does it run WorkerMain with the same authkey as this pool?");
            }
            return link;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting pool worker " + name, e);
        }
    }
}
