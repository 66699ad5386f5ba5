/**
 * Making child JVMs and talking to them: the command line, the bootstrap record on the child's stdin,
 * the authenticated rendezvous socket, the child's entry point, exit-status decoding, standby JVMs, and
 * the per-tree runtime directory.
 *
 * <p>Lifetime rule: a child reads its stdin until end-of-stream and halts when it sees it. The parent
 * never closes a running child's stdin, so the only way it ends is the parent's death (any signal,
 * SIGKILL included): that is what leaves no orphans.
 */
package org.multiprocessing4j.internal.launch;
