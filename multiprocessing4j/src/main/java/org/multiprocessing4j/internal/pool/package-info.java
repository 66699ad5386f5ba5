/**
 * The process pool behind {@code Pool} and {@code ProcessPoolExecutor}: a {@link
 * org.multiprocessing4j.internal.pool.PoolEngine} that hands tasks to workers (one task in flight per
 * worker, so a free worker always takes the next task), tracks which worker holds which task, fails exactly
 * those tasks when a worker dies and replaces it, and kills a worker whose task outlives the timeout.
 * Workers are reached only through {@link org.multiprocessing4j.internal.pool.WorkerLauncher} and
 * {@link org.multiprocessing4j.internal.pool.WorkerLink} (DESIGN.md §6): locally a child JVM and a
 * shared-memory pipe; a cluster transport can replace them.
 */
package org.multiprocessing4j.internal.pool;
