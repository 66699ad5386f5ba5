package org.multiprocessing4j.kryo;

import java.io.Serial;
import java.io.Serializable;

/**
 * A graph sent whole by JDK serialization: what {@link KryoSession#write} sends instead when an object of
 * the graph is reached both through a part that only JDK serialization writes and through Kryo, which
 * would arrive as two objects (see {@link Mp4jKryo}). Unwrapped on reading.
 */
final class WholeGraph implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The graph's root. */
    final Object root;

    WholeGraph(Object root) {
        this.root = root;
    }
}
