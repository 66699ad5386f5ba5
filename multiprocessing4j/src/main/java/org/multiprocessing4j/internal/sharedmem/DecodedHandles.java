package org.multiprocessing4j.internal.sharedmem;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * This JVM's open decoded copies of one type of shared-memory handle, at most one per identity (the file
 * and its incarnation): a decoded handle's {@code readResolve} calls {@link #resolve}, so decoding the same
 * handle again while an earlier copy is open gives that copy, and the file is mapped once however often
 * the handle arrives (each pool task that captures it decodes it anew in the same worker). A copy leaves
 * the registry when it is closed ({@link #forget}); the next decode then makes a new copy, which attaches
 * afresh. Objects made by a create or attach call are never entered: only decoded copies are shared among
 * themselves, so closing one never closes the creator's object.
 *
 * <p>Thread-safe: concurrent decodes of one identity get one copy. A copy stays registered until it is
 * closed, as its mapping does (a shared arena is unmapped by close only); the registry holds no more
 * copies than this JVM has distinct files open.
 *
 * @param <K> the identity of a file: kind, path or name, incarnation
 * @param <H> the handle type
 */
public final class DecodedHandles<K, H> {
    private final ConcurrentHashMap<K, H> open = new ConcurrentHashMap<>();
    /** True while a registered copy is not closed; reads a volatile flag, takes no lock. */
    private final Predicate<? super H> isOpen;

    public DecodedHandles(Predicate<? super H> isOpen) {
        this.isOpen = Objects.requireNonNull(isOpen, "isOpen");
    }

    /**
     * The open copy of {@code key} if there is one, else {@code decoded}, which becomes it.
     *
     * @param key the decoded handle's identity
     * @param decoded the handle just decoded, not yet used (nothing mapped)
     * @return the copy to use in its place
     */
    public H resolve(K key, H decoded) {
        // NOTE: a copy closed after this check is still returned: the decode is ordered before that close,
        // as if the caller had decoded first and the close had come from another thread afterwards.
        return open.compute(key, (k, earlier) -> earlier != null && isOpen.test(earlier) ? earlier : decoded);
    }

    /** Takes {@code closed} out, if it is the registered copy of {@code key} (else does nothing). */
    public void forget(K key, H closed) {
        open.remove(key, closed);
    }
}
