/**
 * The machine around a run: the {@code meta}, {@code meta_env} and {@code meta_end} lines, and the
 * CPU accounting behind {@code meta_env} ({@code /proc/stat} against this process tree's own CPU
 * time). Linux only; elsewhere the figures are reported as unavailable.
 */
package org.multiprocessing4j.bench.env;
