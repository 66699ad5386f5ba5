package org.multiprocessing4j.examples;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Pool;

/**
 * Image thumbnails with {@link Pool#map}: the classic "same function over many files" job (Python's
 * {@code pool.map(make_thumbnail, paths)}).
 *
 * <p>The program draws {@code count} PNG pictures of assorted sizes into a directory, then a pool of worker
 * JVMs turns each into a thumbnail at most {@value #THUMB_SIZE} pixels on its longer side, and the parent
 * prints what came back. Only file names travel to the workers and only small {@link Thumb} records travel
 * back: each worker reads and writes the image files itself, which is how to use a process pool for file
 * work (sending pixels through the pool would cost more than scaling them).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... org.multiprocessing4j.examples.Thumbnails [count [dir]]
 * </pre>
 * Without {@code dir} the pictures go to a temporary directory that is deleted at the end; with it they
 * (and the {@code thumbs/} subdirectory) stay there.
 */
public final class Thumbnails {
    /** The longer side of a thumbnail, in pixels. */
    static final int THUMB_SIZE = 96;

    private Thumbnails() {
    }

    /**
     * What a worker reports for one picture. A record sent back from a worker must be {@link Serializable}
     * (JDK serialization is the default codec), and so must everything in it: a {@code String} rather than
     * a {@code Path}, which is not serializable.
     */
    record Thumb(String source, int sourceWidth, int sourceHeight, String thumbnail, int width, int height,
                 long bytes, long workerPid) implements Serializable {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true"); // no window system needed to draw into images
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 24;
        Path dir = args.length > 1 ? Path.of(args[1]) : null;
        run(System.out, count, dir, 2);
    }

    /**
     * Draws {@code count} pictures into {@code dir} (a temporary directory, deleted at the end, if null),
     * makes their thumbnails with a pool of {@code processes} workers, prints a report to {@code out} and
     * returns the thumbnails in input order.
     */
    static List<Thumb> run(PrintStream out, int count, Path dir, int processes) throws IOException, InterruptedException {
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("mp4j-thumbnails-");
        try {
            List<String> pictures = drawPictures(work, count);
            Files.createDirectories(work.resolve("thumbs"));
            out.printf("Drew %d pictures in %s; making thumbnails with %d worker JVMs...%n", pictures.size(), work, processes);

            // Workers inherit this JVM's options; a context adds a system property for them: no window
            // system is needed to scale images (and none may exist on a server).
            Context headless = Context.builder().systemProperty("java.awt.headless", "true").build();
            long t0 = System.nanoTime();
            List<Thumb> thumbs;
            try (Pool pool = Pool.builder().processes(processes).context(headless).build()) {
                // The function is a method reference, which is serializable because map takes a
                // SerializableFunction. Results come back in input order, as with Python's map. The default
                // chunk size (ceil(n / (4 x processes))) sends a few file names per message.
                thumbs = pool.map(Thumbnails::makeThumbnail, pictures);
            }
            double ms = (System.nanoTime() - t0) / 1e6;

            for (Thumb t : thumbs) {
                out.printf("  %-16s %4d x %-4d -> %-22s %3d x %-3d %,7d bytes  (worker pid %d)%n",
                        t.source(), t.sourceWidth(), t.sourceHeight(), t.thumbnail(), t.width(), t.height(), t.bytes(), t.workerPid());
            }
            long bytes = thumbs.stream().mapToLong(Thumb::bytes).sum();
            long workers = thumbs.stream().mapToLong(Thumb::workerPid).distinct().count();
            out.printf("%d thumbnails, %,d bytes in all, made by %d worker processes in %.0f ms (pool start included)%n",
                    thumbs.size(), bytes, workers, ms);
            return thumbs;
        } finally {
            if (dir == null) {
                deleteTree(work);
            }
        }
    }

    /**
     * Runs in a worker JVM: reads {@code source}, scales it to fit {@value #THUMB_SIZE} pixels and writes
     * {@code thumbs/<name>.png} next to it. An exception here (say, an unreadable file) would reach the
     * parent as itself, thrown by {@code map}.
     */
    static Thumb makeThumbnail(String source) {
        try {
            Path in = Path.of(source);
            BufferedImage image = ImageIO.read(in.toFile());
            if (image == null) {
                throw new IOException("not an image ImageIO can read: " + source);
            }
            double scale = (double) THUMB_SIZE / Math.max(image.getWidth(), image.getHeight());
            int w = Math.max(1, (int) Math.round(image.getWidth() * scale));
            int h = Math.max(1, (int) Math.round(image.getHeight() * scale));
            BufferedImage thumb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = thumb.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
                g.drawImage(image, 0, 0, w, h, null);
            } finally {
                g.dispose();
            }
            Path outFile = in.resolveSibling("thumbs").resolve(in.getFileName());
            ImageIO.write(thumb, "png", outFile.toFile());
            return new Thumb(in.getFileName().toString(), image.getWidth(), image.getHeight(),
                    "thumbs/" + outFile.getFileName(), w, h, Files.size(outFile), ProcessHandle.current().pid());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a thumbnail of " + source, e);
        }
    }

    /** Draws {@code count} PNG pictures of assorted sizes (a gradient and a few discs) into {@code dir}. */
    private static List<String> drawPictures(Path dir, int count) throws IOException {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int w = 320 + 40 * (i % 7);
            int h = 240 + 30 * (i % 5);
            BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            try {
                g.setPaint(new GradientPaint(0, 0, Color.getHSBColor(i / (float) count, 0.6f, 0.9f),
                        w, h, Color.getHSBColor(i / (float) count + 0.5f, 0.8f, 0.4f)));
                g.fillRect(0, 0, w, h);
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                for (int d = 0; d < 5; d++) {
                    g.setColor(Color.getHSBColor((i + d) / 7f, 0.7f, 1f));
                    int r = 20 + 11 * ((i + d) % 6);
                    g.fillOval((w / 6) * (d + 1) - r, h / 2 + (d % 2 == 0 ? -r : r / 2), 2 * r, 2 * r);
                }
            } finally {
                g.dispose();
            }
            Path file = dir.resolve(String.format("picture-%03d.png", i));
            ImageIO.write(image, "png", file.toFile());
            files.add(file.toString());
        }
        return files;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
