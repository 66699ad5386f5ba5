/**
 * Side-by-side measurement of the object codecs we could ship as the default: JDK serialization, Kryo
 * and Apache Fory, on the payloads multiprocessing4j actually sends (targets, arguments, results,
 * exceptions). {@link org.multiprocessing4j.bench.codec.CodecComparison} is the entry point; its class
 * doc gives the command. The results and their reading live in {@code multiprocessing4j-bench/CODECS.md}.
 */
package org.multiprocessing4j.bench.codec;
