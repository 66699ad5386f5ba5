package org.multiprocessing4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The checks {@link Context.Builder} applies to a context's settings: each throws
 * {@link IllegalArgumentException} naming the bad value (or {@link NullPointerException} naming a null
 * one), so that a child JVM is never started with a setting its command line, environment or start
 * cannot carry.
 */
final class ContextSettingChecks {
    private ContextSettingChecks() {
    }

    /** A system property {@code -Dkey=value}: a non-empty key without {@code '='} or NUL, a value without NUL. */
    static void systemProperty(String key, String value) {
        if (Objects.requireNonNull(key, "key").isEmpty()) {
            throw new IllegalArgumentException("system property key is empty");
        }
        // NOTE: a child gets -Dkey=value, which its JVM splits at the first '='
        if (key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("system property key " + printable(key) + " holds '=' or NUL, which a -D option cannot carry");
        }
        if (Objects.requireNonNull(value, "value").indexOf('\0') >= 0) {
            throw new IllegalArgumentException("system property " + key + " has a value holding NUL, which a command line cannot carry");
        }
    }

    /** An environment variable: a non-empty name without {@code '='} or NUL, a value without NUL. */
    static void environmentVariable(String key, String value) {
        if (Objects.requireNonNull(key, "key").isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("environment variable name " + printable(key) + " is empty or holds '=' or NUL");
        }
        if (Objects.requireNonNull(value, "value").indexOf('\0') >= 0) {
            throw new IllegalArgumentException("environment variable " + key + " has a value holding NUL");
        }
    }

    /**
     * What {@link Context.Builder#build()} checks, in this order: {@code javaExecutable} (null: the running
     * JVM's) is an executable file, {@code workingDirectory} (null: this JVM's) a directory,
     * {@code standbyCount} at least 1, {@code startTimeout} positive, and {@code serializer} has a public
     * no-argument constructor.
     */
    static void buildable(Path javaExecutable, Path workingDirectory, int standbyCount, Duration startTimeout,
            Class<? extends Serializer> serializer) {
        if (javaExecutable != null && !(Files.isRegularFile(javaExecutable) && Files.isExecutable(javaExecutable))) {
            throw new IllegalArgumentException("javaExecutable " + javaExecutable + " does not exist or is not an executable file");
        }
        if (workingDirectory != null && !Files.isDirectory(workingDirectory)) {
            throw new IllegalArgumentException("workingDirectory " + workingDirectory + " is not a directory");
        }
        if (standbyCount < 1) {
            throw new IllegalArgumentException("standbyCount must be at least 1, got " + standbyCount);
        }
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive, got " + startTimeout);
        }
        try {
            serializer.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("serializer " + serializer.getName() + " has no public no-argument constructor");
        }
    }

    private static String printable(String s) {
        return "\"" + s.replace("\0", "\\0") + "\"";
    }
}
