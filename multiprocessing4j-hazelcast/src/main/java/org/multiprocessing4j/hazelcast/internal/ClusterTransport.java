package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.internal.pool.WorkerLauncher;
import org.multiprocessing4j.internal.pool.WorkerTransport;
import org.multiprocessing4j.internal.remote.RemoteObjects;

/**
 * Pool workers on the members of a Hazelcast cluster, reached through a Hazelcast client: which members
 * offer worker threads (member attribute {@code mp4j.workers}), how many of this client's workers each
 * one runs, and, through a membership listener, which links lose their member when it leaves. A new
 * worker goes to the member with the most free worker threads (then the fewest of ours); with none free
 * it still goes to the least loaded one. Thread-safe.
 */
public final class ClusterTransport implements WorkerTransport, RemoteObjects.Provider {
    private final HazelcastInstance client;
    private final Frames frames;
    private final String description;
    private final Object lock = new Object();
    private final Map<UUID, Set<ClusterLink>> links = new HashMap<>();
    private final UUID listener;
    private final UUID lifecycle;
    private volatile boolean disconnected;
    /** Set by {@link #close()}: no worker is started from then on. */
    private volatile boolean closed;
    private final ClusterObjects objects;

    /** Workers on the cluster {@code client} is connected to, their frames signed by {@code frames}. */
    public ClusterTransport(HazelcastInstance client, Frames frames, String description, ClusterObjects objects) {
        this.client = client;
        this.objects = objects;
        this.frames = frames;
        this.description = description;
        // NOTE: members abandon the workers of a client that stays away; back from a disconnection, this
        // client gives up all of its workers (started tasks fail, the others run elsewhere) rather than
        // wait for answers that may never come.
        this.lifecycle = client.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.CLIENT_DISCONNECTED) {
                disconnected = true;
            } else if (event.getState() == LifecycleEvent.LifecycleState.CLIENT_CONNECTED && disconnected) {
                disconnected = false;
                List<ClusterLink> all = new ArrayList<>();
                synchronized (lock) {
                    links.values().forEach(all::addAll);
                }
                if (!all.isEmpty()) {
                    WorkerLog.warn("reconnected to " + description + "; its " + all.size() + " pool worker(s) are given up and replaced");
                    Thread.ofVirtual().name("mp4j-reconnect").start(() -> all.forEach(ClusterLink::kill));
                }
            }
        });
        this.listener = client.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                synchronized (lock) {
                    lock.notifyAll();
                }
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                List<ClusterLink> gone;
                synchronized (lock) {
                    Set<ClusterLink> of = links.remove(event.getMember().getUuid());
                    gone = of == null ? List.of() : new ArrayList<>(of);
                    lock.notifyAll();
                }
                if (!gone.isEmpty()) {
                    WorkerLog.warn("member " + event.getMember().getAddress() + " left the cluster; its " + gone.size()
                            + " pool worker(s) are gone");
                }
                gone.forEach(ClusterLink::memberGone);
                // Its control queue has no reader any more: requests left in it would stay forever.
                UUID member = event.getMember().getUuid();
                Thread.ofVirtual().name("mp4j-control-cleanup").start(() -> {
                    try {
                        NamedDestroy.destroy(client, NamedDestroy.QUEUE, Protocol.controlQueue(member));
                    } catch (RuntimeException bestEffort) {
                        // the client is shutting down
                    }
                });
            }
        });
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public RemoteObjects remoteObjects() {
        return objects;
    }

    @Override
    public WorkerLauncher launcher(Context context) {
        return new ClusterLauncher(this, client, context.serializer().getName(), context.startTimeout());
    }

    /** The control queue of the worker host of {@code member} (START and ABANDON requests). */
    com.hazelcast.collection.IQueue<byte[]> controlQueue(UUID member) {
        return client.getQueue(Protocol.controlQueue(member));
    }

    Frames frames() {
        return frames;
    }

    boolean running() {
        return client.getLifecycleService().isRunning();
    }

    /** How many members offer worker threads now. */
    public int workerMembers() {
        return (int) client.getCluster().getMembers().stream().filter(m -> capacity(m) > 0).count();
    }

    private static int capacity(Member m) {
        String workers = m.getAttribute(Protocol.WORKERS_ATTRIBUTE);
        try {
            return workers == null ? 0 : Integer.parseInt(workers);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static long pid(Member m) {
        try {
            return Long.parseLong(m.getAttribute(Protocol.PID_ATTRIBUTE));
        } catch (NumberFormatException | NullPointerException e) {
            return -1;
        }
    }

    /**
     * A link to a new worker on the member with the most free worker threads ({@code make} builds it for
     * that member), counted as that member's at once, so that workers started together spread out;
     * waits up to {@code timeout} for a member to offer worker threads.
     *
     * @throws IllegalStateException if no member offers worker threads within the timeout, or the client is shut down
     */
    ClusterLink open(Duration timeout, java.util.function.Function<Member, ClusterLink> make) throws InterruptedException {
        if (closed || !running()) {
            throw new IllegalStateException("the connection to " + description + " is closed: no worker can be started");
        }
        long deadline = Saturating.deadline(Saturating.nanos(timeout));
        synchronized (lock) {
            while (true) {
                Member best = null;
                int bestFree = Integer.MIN_VALUE;
                int bestOurs = Integer.MAX_VALUE;
                for (Member m : client.getCluster().getMembers()) {
                    int capacity = capacity(m);
                    if (capacity <= 0) {
                        continue;
                    }
                    int ours = links.getOrDefault(m.getUuid(), Set.of()).size();
                    int free = Math.max(0, capacity - ours);
                    if (free > bestFree || (free == bestFree && ours < bestOurs)) {
                        best = m;
                        bestFree = free;
                        bestOurs = ours;
                    }
                }
                if (closed) {
                    throw new IllegalStateException("the connection to " + description + " is closed: no worker can be started");
                }
                if (best != null) {
                    ClusterLink link = make.apply(best);
                    links.computeIfAbsent(best.getUuid(), k -> new HashSet<>()).add(link);
                    return link;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !running()) {
                    throw new IllegalStateException("no member of " + description + " offers pool workers (is WorkerMain running?) after "
                            + timeout.toSeconds() + " s");
                }
                TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)));
            }
        }
    }

    /** A member that left before {@code link} was counted as its: the link is gone at once. */
    void checkPresent(ClusterLink link) {
        if (client.getCluster().getMembers().stream().noneMatch(m -> m.getUuid().equals(link.member()))) {
            link.memberGone();
        }
    }

    /** How many links this transport counts as its members' now, over all members (a snapshot; tests use it). */
    int linkCount() {
        synchronized (lock) {
            return links.values().stream().mapToInt(Set::size).sum();
        }
    }

    void detach(ClusterLink link) {
        synchronized (lock) {
            Set<ClusterLink> of = links.get(link.member());
            if (of != null) {
                of.remove(link);
                if (of.isEmpty()) {
                    links.remove(link.member());
                }
            }
        }
    }

    /**
     * Stops listening to the cluster (the client is being shut down). The workers of pools still open (not
     * closed before the connection) are given up first, and their task and answer queues destroyed: with
     * the client gone, nobody could destroy them later. A pool closed before has released its links
     * already (its close returns only then), so this finds none of its.
     */
    public void close() {
        List<ClusterLink> left = new ArrayList<>();
        synchronized (lock) {
            closed = true;
            links.values().forEach(left::addAll);
            lock.notifyAll();
        }
        for (ClusterLink link : left) {
            try {
                link.kill(); // NOTE: its member's worker host ends the worker, and destroys both queues again when it ends
                link.release();
            } catch (RuntimeException clientGone) {
                // nothing to destroy them with
            }
        }
        try {
            objects.close(); // the anonymous queues, locks ... of contexts using this transport
        } catch (RuntimeException clientGone) {
            // nothing to destroy them with
        }
        try {
            client.getCluster().removeMembershipListener(listener);
            client.getLifecycleService().removeLifecycleListener(lifecycle);
        } catch (RuntimeException clientGone) {
            // already shut down
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
