/**
 * One-off measurements of the shared-memory rings between two JVMs ({@link
 * org.multiprocessing4j.bench.rings.RingFigures}); the command and the figures are in {@code RINGS.md}.
 * Not a workload of the side-by-side harness and not JMH: the JMH benchmarks of the rings (both ends in
 * one JVM) are in {@link org.multiprocessing4j.bench.jmh}.
 */
package org.multiprocessing4j.bench.rings;
