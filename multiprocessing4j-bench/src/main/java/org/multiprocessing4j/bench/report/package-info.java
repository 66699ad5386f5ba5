/**
 * Puts Java and CPython lines side by side: which lines match, and the ratio, oriented so that a
 * value above 1 means Java did better.
 */
package org.multiprocessing4j.bench.report;
