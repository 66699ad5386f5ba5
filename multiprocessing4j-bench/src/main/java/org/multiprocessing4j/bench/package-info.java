/**
 * The side-by-side benchmark harness: Java workloads measured under the rules of
 * {@code shared/bench/python/README.md} (1 warm-up repetition discarded, 5 measured, value = median),
 * printed as the same JSON lines as CPython's {@code mp_baseline.py}, optionally followed by a
 * CPython run and a ratio table. Entry point: {@link org.multiprocessing4j.bench.Main}; workloads are
 * listed in {@link org.multiprocessing4j.bench.Workloads}.
 *
 * <p>Subpackages: {@code json} (writer and reader), {@code env} (meta lines, CPU accounting),
 * {@code cpython} (runs the baseline script), {@code report} (ratio table), {@code workloads}.
 */
package org.multiprocessing4j.bench;
