package org.multiprocessing4j;

import java.io.Serializable;

/** Child-process bodies for tests: a body may throw, and a failure ends the child with a non-zero exit code. */
final class ChildBodies {
    private ChildBodies() {
    }

    /** A child body that may throw a checked exception. */
    interface Body extends Serializable {
        void run() throws Exception;
    }

    /** {@code body} as a process target: a checked exception it throws fails the child (exit code 1). */
    static SerializableRunnable checked(Body body) {
        return () -> {
            try {
                body.run();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        };
    }
}
