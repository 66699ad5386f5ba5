/**
 * multiprocessing4j: Python's {@code multiprocessing} for the JVM. Only {@code org.multiprocessing4j}
 * is exported; everything under {@code org.multiprocessing4j.internal} is an implementation detail.
 */
module org.multiprocessing4j {
    requires java.management; // the parent JVM's own options, inherited by children
    requires jdk.jfr; // Flight Recorder events (internal.events): free while no recording runs
    requires jdk.unsupported; // sun.misc.Signal: a child reports SIGTERM so exitCode() can say -15
    exports org.multiprocessing4j;
    uses org.multiprocessing4j.Serializer;
}
