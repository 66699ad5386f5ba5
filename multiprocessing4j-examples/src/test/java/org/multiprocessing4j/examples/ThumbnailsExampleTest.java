package org.multiprocessing4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        List<Thumb> thumbs = assertTimeoutPreemptively(HANG, () -> Thumbnails.run(out, 4, null, 2));

        assertEquals(4, thumbs.size());
        // NOTE: the directory this run used, named by its report: not every mp4j-thumbnails-* in the temporary
        // directory, where another build on the machine (or a command-line run of the example) makes and
        // deletes its own meanwhile
        Matcher drew = Pattern.compile("Drew 4 pictures in (.+); making thumbnails").matcher(output());
        assertTrue(drew.find(), "the report names the directory: " + output());
        Path used = Path.of(drew.group(1));
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")), used.getParent(), "a temporary directory: " + used);
        assertTrue(used.getFileName().toString().startsWith("mp4j-thumbnails-"), used.toString());
        assertFalse(Files.exists(used), "the temporary directory is gone: " + used);
    }
}
