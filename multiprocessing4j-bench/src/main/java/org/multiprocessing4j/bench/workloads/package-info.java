/**
 * The Java workloads, one class each, registered in {@link org.multiprocessing4j.bench.Workloads}.
 * Each class doc says what is timed and which CPython lines it is compared with.
 */
package org.multiprocessing4j.bench.workloads;
