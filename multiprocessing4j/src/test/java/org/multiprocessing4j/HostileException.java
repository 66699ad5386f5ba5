package org.multiprocessing4j;

import java.io.Serial;

/**
 * An exception whose {@code getMessage()} throws in the JVM that raised it (the flag does not travel): user code
 * the library must survive wherever it prints or describes an exception (PoolCornersTest, HostileObjectsTest).
 */
final class HostileException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;
    private transient boolean hostile = true; // not final: a constant would be read as true after decoding too

    HostileException() {
        super("hostile");
    }

    @Override
    public String getMessage() {
        if (hostile) {
            throw new UnsupportedOperationException("getMessage of a hostile exception");
        }
        return super.getMessage();
    }
}
