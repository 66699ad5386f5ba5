package org.multiprocessing4j.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AOT cache directory stays bounded: real files in a temporary directory, dated through their
 * modification times as {@link AotCache} dates them (the time a JVM last used the cache).
 */
class AotCachePruneTest {
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void beyond_the_limit_the_least_recently_used_caches_are_deleted_and_the_new_one_is_kept() throws IOException {
        // NOTE: the new cache is the oldest by its time here, so keeping it proves it is exempt
        Path fresh = cache("child-new-1.aot", NOW.minus(Duration.ofDays(1)));
        List<Path> others = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            others.add(cache("child-app" + i + "-1.aot", NOW.minus(Duration.ofMinutes(i))));
        }
        List<Path> deleted = AotCache.prune(dir, fresh, NOW);
        assertEquals(Set.copyOf(others.subList(AotCache.MAX_CACHES - 1, 12)), Set.copyOf(deleted));
        assertEquals(names(others.subList(0, AotCache.MAX_CACHES - 1), fresh), names());
    }

    @Test
    void a_cache_unused_for_longer_than_the_idle_limit_is_deleted_even_under_the_limit() throws IOException {
        Path fresh = cache("child-new-1.aot", NOW);
        Path recent = cache("child-recent-1.aot", NOW.minus(AotCache.MAX_IDLE).plus(Duration.ofHours(1)));
        Path idle = cache("child-idle-1.aot", NOW.minus(AotCache.MAX_IDLE).minus(Duration.ofHours(1)));
        assertEquals(List.of(idle), AotCache.prune(dir, fresh, NOW));
        assertEquals(names(List.of(recent), fresh), names());
    }

    @Test
    void files_that_are_not_caches_are_left_alone() throws IOException {
        Path fresh = cache("child-new-1.aot", NOW);
        Path training = cache("child-other-1.aot.4242.tmp", NOW.minus(Duration.ofDays(400)));
        Path config = cache("child-other-1.aot.4242.tmp.config", NOW.minus(Duration.ofDays(400)));
        Path foreign = cache("notes.txt", NOW.minus(Duration.ofDays(400)));
        assertEquals(List.of(), AotCache.prune(dir, fresh, NOW));
        assertEquals(names(List.of(training, config, foreign), fresh), names());
    }

    @Test
    void using_a_cache_moves_its_time_to_now_unless_it_was_used_within_the_hour() throws IOException {
        Path old = cache("child-old-1.aot", NOW.minus(Duration.ofDays(3)));
        Path recent = cache("child-recent-1.aot", NOW.minus(Duration.ofMinutes(10)));
        AotCache.markUsed(old, NOW);
        AotCache.markUsed(recent, NOW);
        AotCache.markUsed(dir.resolve("child-gone-1.aot"), NOW); // no such file: no exception
        assertEquals(NOW, Files.getLastModifiedTime(old).toInstant());
        assertEquals(NOW.minus(Duration.ofMinutes(10)), Files.getLastModifiedTime(recent).toInstant());
    }

    private Path cache(String name, Instant lastUsed) throws IOException {
        Path p = Files.writeString(dir.resolve(name), name);
        Files.setLastModifiedTime(p, FileTime.from(lastUsed));
        assertTrue(Files.isRegularFile(p));
        return p;
    }

    private Set<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return new TreeSet<>(files.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static Set<String> names(List<Path> paths, Path plus) {
        Set<String> out = new TreeSet<>();
        paths.forEach(p -> out.add(p.getFileName().toString()));
        out.add(plus.getFileName().toString());
        return out;
    }
}
