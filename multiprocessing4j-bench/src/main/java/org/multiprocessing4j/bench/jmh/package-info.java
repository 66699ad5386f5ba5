/**
 * JMH micro-benchmarks of the shared-memory rings against the JDK's in-heap queues, both ends in one JVM:
 * {@link org.multiprocessing4j.bench.jmh.RingVsQueue} (throughput, one producer thread, one consumer
 * thread) and {@link org.multiprocessing4j.bench.jmh.RingPingPong} (latency of a round trip). The
 * competitor is a {@code @Param}; each class's doc gives its command, and {@code JMH.md} the figures.
 * {@link org.multiprocessing4j.bench.jmh.ObjectCodecBench} times the object codec on a task lambda and an
 * {@code Integer} chunk ({@code CODECS.md} has its figures).
 * Not run by {@code verify}: only the {@code jmh} profile runs them.
 */
package org.multiprocessing4j.bench.jmh;
