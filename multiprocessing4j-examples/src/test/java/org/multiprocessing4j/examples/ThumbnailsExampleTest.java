package org.multiprocessing4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multiprocessing4j.examples.Thumbnails.Thumb;

class ThumbnailsExampleTest extends ExampleTestBase {

    @Test
    void thumbnailsInAGivenDirectoryAreWrittenScaledToFitAndReportedInInputOrder(@TempDir Path dir) throws Exception {
        List<Thumb> thumbs = assertTimeoutPreemptively(HANG, () -> Thumbnails.run(out, 10, dir, 2));

        assertEquals(10, thumbs.size());
        for (int i = 0; i < thumbs.size(); i++) {
            Thumb t = thumbs.get(i);
            assertEquals(String.format("picture-%03d.png", i), t.source(), "results come in input order");
            assertEquals(Thumbnails.THUMB_SIZE, Math.max(t.width(), t.height()), "longer side scaled to the thumbnail size: " + t);
            assertEquals((double) t.sourceWidth() / t.sourceHeight(), (double) t.width() / t.height(), 0.03, "aspect ratio kept: " + t);
            BufferedImage written = ImageIO.read(dir.resolve(t.thumbnail()).toFile());
            assertNotNull(written, "a readable PNG at " + t.thumbnail());
            assertEquals(t.width(), written.getWidth());
            assertEquals(t.height(), written.getHeight());
            assertEquals(Files.size(dir.resolve(t.thumbnail())), t.bytes());
            assertTrue(t.workerPid() != ProcessHandle.current().pid(), "made in a worker JVM, not here");
        }
        assertTrue(output().contains("10 thumbnails"), output());
    }

    @Test
    void withoutADirectoryThePicturesGoToATemporaryDirectoryThatIsDeletedAfterwards() throws Exception {
        Set<Path> before = thumbnailTempDirs();

        List<Thumb> thumbs = assertTimeoutPreemptively(HANG, () -> Thumbnails.run(out, 4, null, 2));

        assertEquals(4, thumbs.size());
        assertEquals(before, thumbnailTempDirs(), "the temporary directory is gone");
        assertFalse(output().isEmpty());
    }

    private static Set<Path> thumbnailTempDirs() {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("mp4j-thumbnails-")).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
