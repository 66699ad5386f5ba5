package org.multiprocessing4j;

/**
 * A peer failed to prove that it holds the authkey (Python's {@code AuthenticationError}). Raised on both
 * sides of a connection whose HMAC challenge-response did not match; nothing the peer sent was
 * deserialized.
 */
public class AuthenticationException extends ProcessError {
    private static final long serialVersionUID = 1L;

    /**
     * An authentication failure.
     *
     * @param message what failed and with whom
     */
    public AuthenticationException(String message) {
        super(message);
    }
}
