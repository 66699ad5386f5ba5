package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.client.Client;
import com.hazelcast.client.ClientListener;
import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The worker side of a cluster member: reads signed START requests from this member's control queue and
 * starts one {@link MemberWorker} thread per request. A request whose signature fails is logged and
 * dropped unread; a link id among the last {@value #REMEMBERED_IDS} served (a replayed request) is refused
 * (an older one is forgotten, so that a long-lived member's memory stays bounded: a request replayed
 * after that many others starts a worker that nobody talks to, ended by its idle check once its client
 * has left). When a pool's client leaves the
 * cluster (its connection to this member closed and not back within 5 s), the workers it started here
 * are abandoned, so no pool's work keeps a member busy after the pool is gone (beyond a task already
 * running). The control queue is named by the member's UUID; when Hazelcast gives the member a new UUID
 * (it merged back into its cluster after a split), the host serves the queue of the new one, which is
 * where pools send their requests from then on. Thread-safe; {@link #close()} stops it.
 */
public final class WorkerHost implements AutoCloseable {
    /** How long a client that lost its connection to this member may take to come back before its workers are abandoned. */
    private static final long RECONNECT_GRACE_MS = 5_000;
    /** How long an abandoned worker's answer queue (with its EXIT frame) is kept for a client still connected elsewhere. */
    private static final long KEEP_ANSWERS_MS = 10_000;
    private static final Pattern LINK_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    private final HazelcastInstance hz;
    private final Frames frames;
    /** The control queue served now: named by this member's UUID, which Hazelcast changes when the member merges back after a split. */
    private volatile String controlName;
    private final Map<String, MemberWorker> workers = new ConcurrentHashMap<>();
    /** How many link ids {@link #seen} keeps by default. */
    static final int REMEMBERED_IDS = 65_536;
    /** The link ids of the last START requests served (insertion order, the oldest dropped past its capacity); guarded by itself. */
    private final Set<String> seen;
    private final Thread reader;
    private final UUID clientListener;
    /** Delayed checks and clean-ups (daemon). */
    private final java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mp4j-worker-host-timer");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    /** Starts serving START requests on {@code hz} (a member) with frames signed by {@code frames}. */
    public WorkerHost(HazelcastInstance hz, Frames frames) {
        this(hz, frames, REMEMBERED_IDS);
    }

    /** As {@link #WorkerHost(HazelcastInstance, Frames)}, remembering the last {@code remembered} link ids. */
    WorkerHost(HazelcastInstance hz, Frames frames, int remembered) {
        this.seen = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > remembered;
            }
        });
        this.hz = hz;
        this.frames = frames;
        this.controlName = Protocol.controlQueue(hz.getCluster().getLocalMember().getUuid());
        this.clientListener = hz.getClientService().addClientListener(new ClientListener() {
            @Override
            public void clientConnected(Client client) {
            }

            @Override
            public void clientDisconnected(Client client) {
                // NOTE: a client cut off for a moment reconnects: its workers are abandoned only if it stays away.
                UUID uuid = client.getUuid();
                try {
                    timer.schedule(() -> {
                        if (!isConnected(uuid)) {
                            abandonWorkersOf(uuid);
                        }
                    }, RECONNECT_GRACE_MS, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                    abandonWorkersOf(uuid);
                }
            }
        });
        this.reader = new Thread(this::serve, "mp4j-worker-host");
        reader.setDaemon(true);
        reader.start();
    }

    /** How many worker threads run here now. */
    public int running() {
        return workers.size();
    }

    private void serve() {
        IQueue<byte[]> control = hz.getQueue(controlName);
        while (!closed) {
            byte[] frame;
            try {
                String now = Protocol.controlQueue(hz.getCluster().getLocalMember().getUuid());
                if (!now.equals(controlName)) {
                    // NOTE: pools address START requests by the member's current UUID (ClusterLauncher)
                    WorkerLog.info("this member's UUID changed (it merged back into its cluster): serving " + now + " instead of " + controlName);
                    controlName = now;
                    control = hz.getQueue(now);
                }
                frame = Queues.poll(control, TimeUnit.MILLISECONDS.toNanos(500)); // not a byte[]: FOREIGN (dropped, logged)
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!closed && hz.getLifecycleService().isRunning()) {
                    WorkerLog.warn("reading " + controlName + " failed: " + e);
                    continue;
                }
                return;
            }
            if (frame != null && frame != Queues.FOREIGN) {
                handle(frame);
            }
        }
    }

    private void handle(byte[] frame) {
        byte[] body = frames.open(controlName, Frames.ANY_SEQ, frame);
        if (body == null) {
            WorkerLog.warn("dropped a start request of " + frame.length + " bytes on " + controlName
                    + ": bad signature (is the pool using another authkey?); nothing of it was read");
            return;
        }
        if (body.length > 0 && body[0] == Protocol.ABANDON) {
            abandon(body);
            return;
        }
        Protocol.Start start;
        try {
            start = Protocol.Start.decode(body);
        } catch (IOException e) {
            WorkerLog.warn("dropped a malformed start request: " + e.getMessage());
            return;
        }
        if (!LINK_ID.matcher(start.linkId()).matches() || !remember(start.linkId())) {
            WorkerLog.warn("refused a start request for worker " + start.linkId() + ": bad or already used id");
            return;
        }
        MemberWorker worker = new MemberWorker(hz, frames, start, () -> workers.remove(start.linkId()),
                () -> !isConnected(start.client()), cleanUp -> timer.schedule(cleanUp, KEEP_ANSWERS_MS, TimeUnit.MILLISECONDS));
        workers.put(start.linkId(), worker);
        Thread t = new Thread(worker, "mp4j-worker-" + start.linkId());
        t.setDaemon(true);
        t.start();
    }

    /** A pool gave a worker up (its task timed out, was cancelled, or the pool was terminated). */
    private void abandon(byte[] body) {
        String linkId;
        try {
            linkId = Protocol.abandonedLink(body);
        } catch (IOException e) {
            WorkerLog.warn("dropped a malformed abandon request: " + e.getMessage());
            return;
        }
        MemberWorker worker = workers.get(linkId);
        if (worker != null) {
            worker.abandonByPool(); // NOTE: a worker already ended is no longer in the map: nothing to do
        }
    }

    /** False if {@code linkId} was among the last remembered ones (a replayed request); else remembers it. */
    private boolean remember(String linkId) {
        synchronized (seen) {
            return seen.add(linkId);
        }
    }

    /** How many link ids are remembered now (at most the capacity given at construction). */
    int rememberedIds() {
        synchronized (seen) {
            return seen.size();
        }
    }

    private boolean isConnected(UUID client) {
        try {
            return hz.getClientService().getConnectedClients().stream().anyMatch(c -> c.getUuid().equals(client));
        } catch (RuntimeException shuttingDown) {
            return false;
        }
    }

    private void abandonWorkersOf(UUID client) {
        for (MemberWorker w : workers.values()) {
            if (w.start().client().equals(client)) {
                w.abandon();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            hz.getClientService().removeClientListener(clientListener);
        } catch (RuntimeException clusterGone) {
            // shutting down
        }
        reader.interrupt();
        workers.values().forEach(MemberWorker::abandon);
        timer.shutdown();
    }
}
