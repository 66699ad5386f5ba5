/**
 * Pipe ends over shared-memory rings: {@link org.multiprocessing4j.internal.pipe.RingConnection} is a
 * serializable handle on one or two {@link org.multiprocessing4j.internal.ring.SpscRing}s that claims its
 * ring ends on first use, {@link org.multiprocessing4j.internal.pipe.PipeOrigin} the creator's record of a
 * pipe (to unlink its files early), and {@link org.multiprocessing4j.internal.pipe.RingWatches} lets
 * {@code Connections.waitFor} sleep on ring connections next to sockets and sentinels.
 */
package org.multiprocessing4j.internal.pipe;
