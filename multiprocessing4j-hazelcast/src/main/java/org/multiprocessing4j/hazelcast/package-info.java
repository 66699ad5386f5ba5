/**
 * Pool and ProcessPoolExecutor workers on a Hazelcast cluster (DESIGN.md §6): {@link
 * org.multiprocessing4j.hazelcast.HazelcastWorkers} connects a program to the cluster, {@link
 * org.multiprocessing4j.hazelcast.WorkerMain} runs a member that offers workers. Only signed opaque byte
 * payloads travel through Hazelcast; see the module's README for the security model and its limits.
 */
package org.multiprocessing4j.hazelcast;
