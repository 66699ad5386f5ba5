package org.multiprocessing4j.bench;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a running {@link Workload} sees: the size mode and where its lines go. Created by the harness
 * for one workload run; use it from the workload's thread only.
 */
public final class BenchContext {

    private final String workload;
    private final boolean quick;
    private final Consumer<Line> sink;

    /**
     * @param workload the name of the workload this context is for
     * @param quick    whether {@code --quick} sizes apply
     * @param sink     receives every emitted line, in order
     */
    public BenchContext(String workload, boolean quick, Consumer<Line> sink) {
        this.workload = Objects.requireNonNull(workload, "workload");
        this.quick = quick;
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** The name of the running workload. */
    public String workload() {
        return workload;
    }

    /** True in {@code --quick} mode (the README's sizes in parentheses). */
    public boolean quick() {
        return quick;
    }

    /** {@code quick} in {@code --quick} mode, otherwise {@code full}: the README's "full (quick)" sizes. */
    public int size(int full, int quick) {
        return this.quick ? quick : full;
    }

    /** Prints one measured figure. */
    public void emit(Result result) {
        sink.accept(result.toLine());
    }

    /** Prints a line that is not a measured figure, e.g. a {@code fault} fact with a string value. */
    public void emit(Line line) {
        sink.accept(line);
    }
}
