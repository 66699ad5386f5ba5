/**
 * The SPI through which a cluster transport (module {@code multiprocessing4j-hazelcast}) backs a context's
 * queues, joinable queues, locks, semaphores and a manager's dicts and lists with the cluster's own
 * structures, so that {@code ctx.queue()}, {@code ctx.lock()}, {@code ctx.manager().dict()} … work across
 * machines with the program unchanged (DESIGN.md §6). The public types wrap these backends; nothing here
 * is part of the API.
 */
package org.multiprocessing4j.internal.remote;
