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
 * worker host a signed START request and waits for the worker's first frame (STARTED when it has an
 * initializer to run, whose time the start timeout does not bound, as locally; else READY or INIT_FAILED). Each worker holds one task
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

    /**
     * {@inheritDoc}
     *
     * <p>A link that does not come up (no answer within the start timeout, the START request not delivered,
     * an interrupt) is given up before this throws: its member's worker host is told (the START may have
     * reached it, and its worker would otherwise wait for tasks until this client leaves the cluster), and
     * the link is released, so that the transport no longer counts it as its member's and its queues are gone.
     */
    @Override
    public WorkerLink launch(String name, SerializableRunnable initializer, int maxTasks, int slots) {
        byte[] init = TaskRunner.encodeInitializer(serializer, initializer);
        String linkId = UUID.randomUUID().toString();
        ClusterLink link;
        try {
            if (Thread.interrupted()) {
                // NOTE: before any cluster call: Hazelcast's client calls fail at once in an interrupted thread
                throw new InterruptedException();
            }
            link = transport.open(startTimeout, m -> new ClusterLink(transport, client, name + "@" + m.getAddress(), linkId,
                    m.getUuid(), m.getAddress().toString(), ClusterTransport.pid(m), slots));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(name, e);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
                // NOTE: the link's queue proxies were being made (Hazelcast wraps the interrupt, status clear)
                Thread.currentThread().interrupt();
                throw interrupted(name, e);
            }
            throw e;
        }
        // NOTE: from here the transport counts the link as its member's (open): every way out but the return
        // gives it up (giveUp), or it stayed counted, its queues stayed on the cluster, and a worker the START
        // did reach kept one of the member's worker threads, until this client's connection was closed.
        boolean up = false;
        boolean interrupted = false;
        try {
            transport.checkPresent(link);
            String control = Protocol.controlQueue(link.member());
            Protocol.Start start = new Protocol.Start(maxTasks, linkId, client.getLocalEndpoint().getUuid(), serializer, init);
            try {
                client.<byte[]>getQueue(control).add(transport.frames().seal(control, ThreadLocalRandom.current().nextLong(), start.encode()));
            } catch (RuntimeException e) {
                // NOTE: an interrupt during the add shows as "Queue is full!" with the status set (see Queues.add)
                if (Thread.interrupted()) {
                    interrupted = true;
                    throw interrupted(name, e);
                }
                throw e;
            }
            if (!link.awaitFirst(startTimeout)) {
                throw new IllegalStateException("the worker host of member " + link.memberAddress() + " did not start pool worker " + name
                        + " within " + startTimeout.toSeconds() + " s: does it run WorkerMain with the same authkey as this pool?");
            }
            up = true;
            return link;
        } catch (InterruptedException e) {
            interrupted = true;
            throw interrupted(name, e);
        } finally {
            if (!up) {
                // NOTE: a cluster call may have set the interrupt status again: giveUp's calls run with it clear
                interrupted |= Thread.interrupted();
                giveUp(link);
            }
            if (interrupted) {
                // NOTE: set again only after giveUp: its cluster calls run with the interrupt status clear
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Ends a link that did not come up: tells its member's worker host (ABANDON after the START, in case that
     * arrived) and releases it. Best effort towards the cluster; the release, which makes the transport
     * forget the link, always runs.
     */
    private static void giveUp(ClusterLink link) {
        try {
            link.kill();
        } catch (RuntimeException outOfReach) {
            // the cluster is out of reach: a worker the START reached ends when it sees this client gone
        } finally {
            link.release();
        }
    }

    private static IllegalStateException interrupted(String name, Exception e) {
        return new IllegalStateException("interrupted while starting pool worker " + name, e);
    }
}
