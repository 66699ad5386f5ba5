package org.multiprocessing4j.hazelcast.internal;

import com.hazelcast.client.impl.clientside.HazelcastClientProxy;
import com.hazelcast.collection.impl.list.ListService;
import com.hazelcast.collection.impl.queue.QueueService;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.impl.MapService;

/**
 * Destroys a cluster structure known only by its name, without making it on the cluster first.
 *
 * <p>Thread-safe and stateless. Each call is one cluster call (DestroyProxy to every member); it throws what
 * Hazelcast throws (a {@code HazelcastException} when the cluster is out of reach or the thread is interrupted).
 *
 * <p>Implementation note: a client's {@code hz.getQueue(name)} for a proxy it does not hold (never made here, or
 * destroyed already by another thread, as when a scope's close and a waiter's check both destroy) sends
 * CreateProxy. The member that gets it registers the structure and tells the other members by an asynchronous
 * event; the DestroyProxy that follows can reach another member before that event, which then registers the
 * structure again and lists it for good (found by a clean-clone run of
 * {@code ClusterContextTest.waitersOnAClusterManagersObjectsEndWhenItShutsDown}: 4 of 60 repetitions left a queue;
 * 0 of 180 with this class). A proxy made only locally sends no CreateProxy, and its destroy still sends
 * DestroyProxy. Hazelcast's public API has no such call, so a client goes through its {@code ProxyManager}
 * (internal, pinned by {@code hazelcast.version}; a change there fails this module's build, not a run). A member
 * has no such race: its own CREATED and DESTROYED events go out in order.
 */
final class NamedDestroy {
    static final String QUEUE = QueueService.SERVICE_NAME;
    static final String MAP = MapService.SERVICE_NAME;
    static final String LIST = ListService.SERVICE_NAME;

    private NamedDestroy() {
    }

    /** Destroys the structure {@code name} of Hazelcast service {@code service} (one of this class's constants). */
    static void destroy(HazelcastInstance hz, String service, String name) {
        if (hz instanceof HazelcastClientProxy client) {
            client.client.getProxyManager().getOrCreateLocalProxy(service, name).destroy();
        } else {
            hz.getDistributedObject(service, name).destroy();
        }
    }
}
