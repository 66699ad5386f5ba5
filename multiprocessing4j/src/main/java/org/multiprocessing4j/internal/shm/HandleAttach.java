package org.multiprocessing4j.internal.shm;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.multiprocessing4j.ProcessError;

/**
 * Maps the shared file named by a serializable handle (a value, an array, a lock) on its first use in a
 * process, checking its layout, with the exceptions such a use promises: {@link IllegalStateException}
 * when the file is gone (its creator closed it or its tree ended), {@link ProcessError} naming the handle
 * when it cannot be mapped or is not the layout expected (nothing stays mapped then).
 */
public final class HandleAttach {
    /** Checks a mapped file's header against the layout the handle expects. */
    @FunctionalInterface
    public interface LayoutCheck {
        void check(MemorySegment segment) throws IOException;
    }

    private HandleAttach() {
    }

    /** Maps {@code path} for the handle described as {@code what}, then runs {@code check} on it. */
    public static SharedFile attach(Path path, String what, LayoutCheck check) {
        SharedFile file;
        try {
            file = SharedFile.attach(path);
        } catch (NoSuchFileException gone) {
            throw new IllegalStateException(what + " cannot be used in pid " + ProcessHandle.current().pid()
                    + ": its shared file is gone (the creating process closed it, or its tree ended)", gone);
        } catch (IOException e) {
            throw new ProcessError("cannot attach " + what + ": " + e.getMessage(), e);
        }
        try {
            check.check(file.segment());
        } catch (IOException e) {
            file.close();
            throw new ProcessError("cannot attach " + what + ": " + e.getMessage(), e);
        }
        return file;
    }
}
