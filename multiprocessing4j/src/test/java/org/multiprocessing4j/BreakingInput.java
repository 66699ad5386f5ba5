package org.multiprocessing4j;

import java.util.Iterator;

/** An endless input 0, 1, 2, ... whose {@code next()} throws {@link IllegalStateException} with {@code message} at {@code at}. */
final class BreakingInput implements Iterator<Integer> {
    private final int at;
    private final String message;
    private int next;

    BreakingInput(int at, String message) {
        this.at = at;
        this.message = message;
    }

    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public Integer next() {
        if (next == at) {
            throw new IllegalStateException(message);
        }
        return next++;
    }
}
