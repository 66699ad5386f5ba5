/**
 * multiprocessing4j: Python's {@code multiprocessing} for the JVM. Only {@code org.multiprocessing4j}
 * is exported; everything under {@code org.multiprocessing4j.internal} is an implementation detail.
 */
@SuppressWarnings("module") // the qualified export below names a module built after this one
module org.multiprocessing4j {
    requires java.management; // the parent JVM's own options, inherited by children
    requires jdk.jfr; // Flight Recorder events (internal.events): free while no recording runs
    requires jdk.unsupported; // sun.misc.Signal: a child reports SIGTERM so exitCode() can say -15
    exports org.multiprocessing4j;
    // The cluster transport (multiprocessing4j-hazelcast) implements the pool's worker SPI (DESIGN.md §6).
    exports org.multiprocessing4j.internal.pool to org.multiprocessing4j.hazelcast;
    // ... and backs a context's queues, locks and semaphores and a manager's dicts and lists with the cluster's.
    exports org.multiprocessing4j.internal.remote to org.multiprocessing4j.hazelcast;
    uses org.multiprocessing4j.Serializer;
}
