package org.multiprocessing4j.internal.sharedmem;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.multiprocessing4j.internal.sharedmem.SegmentLayout.INT;
import static org.multiprocessing4j.internal.sharedmem.SegmentLayout.LONG;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.multiprocessing4j.internal.launch.RuntimeDirectory;
import org.multiprocessing4j.internal.shm.ShmNames;
import org.multiprocessing4j.internal.shm.SharedFile;

/**
 * When a named segment's name goes: the automatic half of the lifetime rule of {@link NamedSegment}
 * (creator's tree ended and no live process attached), and the sweep that applies it to every segment
 * file of this user. Thread-safe, stateless.
 */
public final class SegmentRemoval {
    /** A segment file whose header is still unpublished after this long was abandoned by its creator. */
    private static final long UNPUBLISHED_MILLIS = 60_000;
    private SegmentRemoval() {
    }

    /**
     * Removes the segment's name if its creator's tree has ended (this JVM's own tree counts as ended when
     * {@code ownTreeEnding}: the root is exiting) and no live process has it open; see {@link NamedSegment}
     * for the handshake with attachers.
     *
     * @return true if the name was removed here
     */
    static boolean removeIfUnused(MemorySegment h, Path path, long incarnation, boolean ownTreeEnding) {
        long treePid = h.get(JAVA_LONG, SegmentLayout.TREE_PID);
        long treeStart = h.get(JAVA_LONG, SegmentLayout.TREE_START);
        long[] own = SegmentNames.treeRoot();
        boolean treeEnded = treePid == own[0] && treeStart == own[1] ? ownTreeEnding
                : !RuntimeDirectory.isAlive(treePid, treeStart);
        if (!treeEnded || !claimRemover(h)) {
            return false;
        }
        for (int i = 0; i < SegmentLayout.SLOTS; i++) {
            long holder = (long) LONG.getVolatile(h, SegmentLayout.slot(i));
            if (holder != 0 && (int) INT.getVolatile(h, SegmentLayout.count(i)) > 0 && ProcessWord.isAlive(holder)) {
                LONG.setVolatile(h, SegmentLayout.REMOVER, 0L); // in use: no removal
                return false;
            }
        }
        try {
            return unlinkIfSame(path, incarnation);
        } catch (IOException bestEffort) {
            LONG.setVolatile(h, SegmentLayout.REMOVER, 0L);
            return false;
        }
    }

    /** CAS the remover word from 0 (or from a dead remover) to this process. */
    private static boolean claimRemover(MemorySegment h) {
        // NOTE: the CAS is a full fence: the slot reads that follow see every attacher that did not see us.
        if (LONG.compareAndSet(h, SegmentLayout.REMOVER, 0L, ProcessWord.SELF)) {
            return true;
        }
        long current = (long) LONG.getVolatile(h, SegmentLayout.REMOVER);
        return current != 0 && current != ProcessWord.SELF && !ProcessWord.isAlive(current)
                && LONG.compareAndSet(h, SegmentLayout.REMOVER, current, ProcessWord.SELF);
    }

    /**
     * Removes segment {@code name} if it is still the one of that incarnation (the {@code unlink} of a
     * handle that never attached here).
     *
     * @return true if removed here
     */
    public static boolean unlink(String name, long incarnation) throws IOException {
        return unlinkIfSame(SegmentNames.path(name), incarnation);
    }

    /**
     * Deletes {@code path} if the file there carries {@code incarnation}. Works for a thread whose interrupt
     * flag is set, and keeps the flag.
     *
     * @return true if deleted; false if the name is gone or names another segment now
     */
    static boolean unlinkIfSame(Path path, long incarnation) throws IOException {
        // NOTE: a FileChannel refuses to work for an interrupted thread (ClosedByInterruptException): an unlink in the
        // finally block after "catch (InterruptedException e) { interrupt(); }" would fail and leave the name behind.
        // Reading 8 bytes does not block; the flag is for the caller's next wait, so it is set aside, then restored.
        boolean interrupted = Thread.interrupted();
        try {
            return unlinkIfSameNow(path, incarnation);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean unlinkIfSameNow(Path path, long incarnation) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, NOFOLLOW_LINKS)) {
            ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            while (word.hasRemaining() && channel.read(word, SegmentLayout.INCARNATION + word.position()) >= 0) {
                // read the 8 bytes
            }
            if (word.hasRemaining() || word.getLong(0) != incarnation) {
                return false;
            }
        } catch (NoSuchFileException gone) {
            return false;
        }
        return Files.deleteIfExists(path);
    }

    /**
     * Applies the automatic rule to every segment file of this user in {@code /dev/shm}; files of another
     * layout version, another user, or unfinished ones are left alone. Best effort, never throws.
     *
     * @param ownTreeEnding true in the root of a tree that is exiting: its own segments count as orphaned
     * @return how many names were removed
     */
    public static int sweep(boolean ownTreeEnding) {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(ShmNames.DIRECTORY, SegmentNames.FILE_PREFIX + "*")) {
            for (Path path : files) {
                if (SegmentNames.nameOf(path) != null && sweepOne(path, ownTreeEnding)) {
                    removed++;
                }
            }
        } catch (IOException | RuntimeException bestEffort) {
            // the next sweep retries
        }
        return removed;
    }

    private static boolean sweepOne(Path path, boolean ownTreeEnding) {
        try (SharedFile file = SharedFile.attachUnfinished(path)) {
            MemorySegment h = file.segment();
            if (SegmentLayout.unpublished(h)) {
                // NOTE: a creator dies between create and publish: nobody can ever attach; old enough, remove it.
                long age = System.currentTimeMillis() - Files.getLastModifiedTime(path, NOFOLLOW_LINKS).toMillis();
                return age > UNPUBLISHED_MILLIS && Files.deleteIfExists(path);
            }
            SegmentLayout.check(h, path);
            return removeIfUnused(h, path, h.get(JAVA_LONG, SegmentLayout.INCARNATION), ownTreeEnding);
        } catch (IOException | RuntimeException notOursToJudge) {
            return false;
        }
    }
}
