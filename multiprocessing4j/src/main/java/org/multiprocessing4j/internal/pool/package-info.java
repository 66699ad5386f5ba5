/**
 * The process pool behind {@code Pool} and {@code ProcessPoolExecutor}: a {@link
 * org.multiprocessing4j.internal.pool.PoolEngine} that hands tasks to workers (each holds a few, sent ahead
 * and revocable through its {@link org.multiprocessing4j.internal.pool.TaskSlots} table, so a free worker
 * always takes the next task), tracks which worker holds which task, fails exactly the tasks a dead worker
 * had started and reruns the ones it had not, replaces the worker, and kills a worker whose task outlives
 * the timeout. Workers are reached only through {@link org.multiprocessing4j.internal.pool.WorkerLauncher}
 * and {@link org.multiprocessing4j.internal.pool.WorkerLink} (DESIGN.md §6): locally a child JVM running
 * {@link org.multiprocessing4j.internal.pool.WorkerLoop} over a shared-memory pipe; a cluster transport can
 * replace them. Jobs ({@code CallJob}, {@code MapJob}, {@code ImapJob}, {@code ExecutorJob}) turn calls into
 * tasks and tasks' outcomes into results; the wire format is in {@code TaskMessages}.
 */
package org.multiprocessing4j.internal.pool;
