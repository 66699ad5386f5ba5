package org.multiprocessing4j.internal.launch;

import java.nio.file.Path;
import java.util.List;

/** Placeholder: the AOT cache comes in a later step. */
final class AotCache {
    private AotCache() {
    }

    static List<String> options(Path java, String classPath, List<String> argvSoFar) {
        return List.of();
    }
}
