package org.multiprocessing4j.bench;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.multiprocessing4j.bench.json.JsonWriter;

/**
 * Prints JSON lines to standard output, flushed per line, and appends them to an optional
 * {@code --out} file (appending, as {@code mp_baseline.py --out} does). Thread-safe.
 */
public final class JsonLines implements Closeable {

    private final PrintStream out;
    private final BufferedWriter file;

    /**
     * @param out  where lines are printed (normally {@code System.out})
     * @param file the file to append to, or {@code null}
     * @throws IOException if the file cannot be opened
     */
    public JsonLines(PrintStream out, Path file) throws IOException {
        this.out = out;
        this.file = file == null ? null : Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** Serialises {@code line} as {@code json.dumps} would and writes it. */
    public void write(Line line) {
        writeRaw(JsonWriter.write(line.fields()));
    }

    /**
     * Writes an already serialised line unchanged (CPython's lines are kept byte for byte).
     *
     * @throws UncheckedIOException if appending to the file fails
     */
    public synchronized void writeRaw(String json) {
        out.println(json);
        out.flush();
        if (file != null) {
            try {
                file.write(json);
                file.newLine();
                file.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to the --out file", e);
            }
        }
    }

    /** Closes the file, if any; standard output stays open. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (file != null) file.close();
    }
}
