package org.multiprocessing4j.internal.wire;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.multiprocessing4j.RemoteException;

/**
 * Ships a throwable from one JVM to another so that it arrives as itself: original type, message, cause
 * chain and the thrower's stack trace. When the receiver cannot rebuild it (its class is missing there, or
 * it holds something the serializer cannot write) it arrives as a {@link RemoteException} carrying the
 * original class name, message and stack trace, with the cause chain rebuilt the same way.
 *
 * <p>Wire format: {@code hasFull(1) | [fullLength(4) | serializer bytes] | description}, where the
 * description is {@code className(UTF) | hasMessage(1) | [message(UTF)] | frames(4) | frames... |
 * hasCause(1) | [description of the cause]} and a frame is {@code loader? module? moduleVersion? class(UTF) method(UTF) file? line(4)} ({@code x?} is
 * {@code present(1) | [x(UTF)]}).
 * The description is written by hand, so it survives any class-path difference. Neither {@link #encode}
 * nor {@link #decode} fails because of the throwable (only for want of memory): where the serializer fails
 * either way, with an Error too, the description stands in; where the throwable's own {@code getMessage},
 * {@code getStackTrace} or {@code getCause} throws, the description says so in place of the message, or
 * has no frames, or no cause.
 */
public final class ThrowableCodec {
    private static final int MAX_CAUSES = 32;

    private final ObjectCodec codec;

    public ThrowableCodec(ObjectCodec codec) {
        this.codec = codec;
    }

    public byte[] encode(Throwable t) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            byte[] full = null;
            try {
                full = codec.serializer().toBytes(t);
            } catch (OutOfMemoryError e) {
                throw e;
            } catch (Throwable notSerializable) {
                // NOTE: an Error too: a field too deep to write (StackOverflowError) or a writeObject that throws one
                // made a worker's answer fail and its JVM die with the task's exception unsaid; the description is
                // written by hand, so it always goes
            }
            out.writeBoolean(full != null);
            if (full != null) {
                out.writeInt(full.length);
                out.write(full);
            }
            describe(t, out, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public Throwable decode(byte[] data, ClassLoader loader) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        if (in.readBoolean()) {
            byte[] full = new byte[in.readInt()];
            in.readFully(full);
            try {
                return (Throwable) codec.serializer().fromBytes(full, 0, full.length, loader);
            } catch (OutOfMemoryError e) {
                throw e;
            } catch (Throwable unreadable) {
                // NOTE: an Error too (a readObject that throws one, a class whose initializer fails here): the
                // description follows, so the class name and message still arrive
            }
        }
        return readDescription(in);
    }

    private static void describe(Throwable t, DataOutputStream out, int depth) throws IOException {
        out.writeUTF(t.getClass().getName());
        String message;
        try {
            message = t.getMessage();
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            // NOTE: user code (an overridden getMessage): what it threw is said instead of the message
            message = "[getMessage() threw " + e.getClass().getName() + "]";
        }
        out.writeBoolean(message != null);
        if (message != null) {
            out.writeUTF(truncate(message));
        }
        StackTraceElement[] frames;
        try {
            frames = t.getStackTrace();
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            frames = null;
        }
        if (frames == null) {
            frames = new StackTraceElement[0];
        }
        out.writeInt(frames.length);
        for (StackTraceElement f : frames) {
            writeNullable(out, f.getClassLoaderName());
            writeNullable(out, f.getModuleName());
            writeNullable(out, f.getModuleVersion());
            out.writeUTF(f.getClassName());
            out.writeUTF(f.getMethodName());
            writeNullable(out, f.getFileName());
            out.writeInt(f.getLineNumber());
        }
        Throwable cause;
        try {
            cause = t.getCause();
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            cause = null;
        }
        boolean more = cause != null && cause != t && depth < MAX_CAUSES;
        out.writeBoolean(more);
        if (more) {
            describe(cause, out, depth + 1);
        }
    }

    private static RemoteException readDescription(DataInputStream in) throws IOException {
        String className = in.readUTF();
        String message = in.readBoolean() ? in.readUTF() : null;
        int n = in.readInt();
        List<StackTraceElement> frames = new ArrayList<>(Math.min(n, 4096));
        for (int i = 0; i < n; i++) {
            String loaderName = readNullable(in);
            String module = readNullable(in);
            String moduleVersion = readNullable(in);
            String cls = in.readUTF();
            String method = in.readUTF();
            String file = readNullable(in);
            frames.add(new StackTraceElement(loaderName, module, moduleVersion, cls, method, file, in.readInt()));
        }
        RemoteException remote = new RemoteException(className, message);
        remote.setStackTrace(frames.toArray(StackTraceElement[]::new));
        if (in.readBoolean()) {
            remote.initCause(readDescription(in));
        }
        return remote;
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    /** writeUTF takes at most 65535 encoded bytes. */
    private static String truncate(String s) {
        return s.length() > 16000 ? s.substring(0, 16000) + "... [truncated]" : s;
    }
}
