package org.multiprocessing4j;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.multiprocessing4j.internal.shm.ShmNames;

/**
 * An item too large for a queue's shared memory, written to a {@code /dev/shm} file of its own; a small
 * frame naming the file travels through the queue in its place, and the taker reads the file and removes
 * it. So a queue takes items of any size (as CPython's), each costing one file write and one read beyond
 * the ring.
 *
 * <p>Wire format of the frame: {@code 0xFF 'S' 'P'}, the length (4 bytes, big-endian), the file's path in
 * UTF-8. An encoded item never starts with {@code 0xFF}: the codec's first byte is one of its tags, all
 * below 0x80 ({@code ObjectCodec}), so the taker tells the two apart by the first byte.
 *
 * <p>Lifetime: the file is made {@code 0600} with {@code O_EXCL} under this tree's name
 * ({@link ShmNames}), so an item put but never taken is removed with the tree's other files when the root
 * process exits (or by the next start's sweep after a SIGKILL). A taker reads only a file named like ours,
 * without following links, of its own user and of the recorded length.
 *
 * <p>Interrupts: writing or reading the file is no wait, so, as for a small item, an interrupt does not stop
 * it: a {@link FileChannel} fails ({@link ClosedByInterruptException}) for a thread interrupted before or
 * during its I/O, which would fail a put with a {@link ProcessError} and lose an item already taken out of
 * the queue (its file removed unread). Both clear the status, try again after such a failure, and set the
 * status again on the way out, for the caller's next wait.
 *
 * @param file   the file holding the item's encoded bytes
 * @param length how many bytes
 */
record QueueSpill(String file, int length) {
    private static final byte MARK = (byte) 0xFF;
    private static final int HEADER = 7;

    /** Whether {@code message}, taken from a queue, is a spill frame rather than an encoded item. */
    static boolean isSpill(byte[] message) {
        return message.length > HEADER && message[0] == MARK && message[1] == 'S' && message[2] == 'P';
    }

    /** The spill a frame names. */
    static QueueSpill of(byte[] frame) {
        int length = ByteBuffer.wrap(frame, 3, 4).getInt();
        return new QueueSpill(new String(frame, HEADER, frame.length - HEADER, StandardCharsets.UTF_8), length);
    }

    /** This spill as a frame to put in the queue. */
    byte[] frame() {
        byte[] path = file.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(HEADER + path.length).put(MARK).put((byte) 'S').put((byte) 'P').putInt(length).put(path).array();
    }

    /**
     * Writes {@code encoded} to a new file. Uninterruptible: an interrupt before or during the write is kept
     * for the caller's next wait (see the class doc).
     *
     * @throws ProcessError if the file cannot be written (a full {@code /dev/shm}); nothing is left behind
     */
    static QueueSpill write(byte[] encoded) {
        Path path = ShmNames.newPath();
        boolean interrupted = false;
        try {
            for (;;) {
                interrupted |= Thread.interrupted();
                try {
                    writeFile(path, encoded);
                    return new QueueSpill(path.toString(), encoded.length);
                } catch (ClosedByInterruptException again) {
                    interrupted = true;
                    deleteBestEffort(path); // NOTE: written in part: made anew (CREATE_NEW) by the next try
                } catch (IOException e) {
                    deleteBestEffort(path);
                    throw new ProcessError("cannot write a queue item of " + encoded.length + " bytes to " + path + ": "
                            + e.getMessage(), e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void writeFile(Path path, byte[] encoded) throws IOException {
        var mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        try (FileChannel channel = FileChannel.open(path, Set.of(CREATE_NEW, WRITE, NOFOLLOW_LINKS), mode)) {
            ByteBuffer bytes = ByteBuffer.wrap(encoded);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    /**
     * Reads the item's bytes and removes the file. Uninterruptible: the item is already out of the queue, so
     * an interrupt before or during the read is kept for the caller's next wait (see the class doc).
     *
     * @throws ProcessError if the file is missing, not ours or not of the recorded length
     */
    byte[] take() {
        Path path = Path.of(file);
        if (!path.getParent().equals(ShmNames.DIRECTORY) || !ShmNames.isOurs(path)) {
            throw new ProcessError("a queue item names " + file + ", which is not a file of this library");
        }
        boolean interrupted = false;
        try {
            for (;;) {
                interrupted |= Thread.interrupted();
                try {
                    return readFile(path);
                } catch (ClosedByInterruptException again) {
                    interrupted = true; // NOTE: the file is still there: read it again
                }
            }
        } catch (IOException e) {
            throw new ProcessError("cannot read the queue item in " + file + ": " + e, e);
        } finally {
            deleteBestEffort(path);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private byte[] readFile(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, Set.of(READ, NOFOLLOW_LINKS))) {
            if (channel.size() != length) {
                throw new ProcessError("the queue item in " + file + " has " + channel.size() + " bytes, not " + length);
            }
            ByteBuffer bytes = ByteBuffer.allocate(length);
            while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
                // reads until full
            }
            return bytes.array();
        }
    }

    /** Removes the file unread (its record was not put). */
    void discard() {
        deleteBestEffort(Path.of(file));
    }

    private static void deleteBestEffort(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the tree's sweep removes it
        }
    }
}
