/**
 * Runs CPython's {@code shared/bench/python/mp_baseline.py} as a child process and collects its
 * JSON lines, so that both sides are measured in one run on the same machine.
 */
package org.multiprocessing4j.bench.cpython;
