/**
 * What the pool workloads share: the README's module-level task functions ({@link
 * org.multiprocessing4j.bench.pool.PoolTasks}), Python's {@code range} as a list ({@link
 * org.multiprocessing4j.bench.pool.IntRange}), and the thread-pool twin of a process pool ({@link
 * org.multiprocessing4j.bench.pool.ThreadPoolTwin}) that does the same work in the same run, so that the
 * report shows the price of process isolation next to the ratio against CPython.
 */
package org.multiprocessing4j.bench.pool;
