/**
 * Hand-written JSON for the benchmark lines: a writer that prints exactly what CPython's
 * {@code json.dumps} prints (separators, float repr, ASCII escapes), so Java and CPython lines
 * look alike, and a small reader for CPython's lines. Not a general-purpose JSON library.
 */
package org.multiprocessing4j.bench.json;
