/**
 * Making child JVMs and talking to them: the command line, the bootstrap record on the child's stdin,
 * the authenticated rendezvous socket, the child's entry point, exit-status decoding, standby JVMs, what
 * one context starts its children with ({@link org.multiprocessing4j.internal.launch.ContextLauncher}), and
 * the per-tree runtime directory.
 *
 * <p>Lifetime rule: a child reads its control link (the authenticated Unix-domain socket to its parent)
 * until end-of-stream and halts when it sees it. The parent never closes a running child's link, so the
 * only way it ends early is the parent's death (any signal, SIGKILL included: the kernel closes the
 * parent's sockets): that is what leaves no orphans. The child's stdin carries only the bootstrap record.
 */
package org.multiprocessing4j.internal.launch;
