package org.multiprocessing4j.hazelcast.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * The names and message bodies of the cluster transport. Every body travels inside a {@link Frames}
 * frame in a Hazelcast {@code IQueue<byte[]>} (Hazelcast stores a {@code byte[]} as is: nothing of ours
 * is deserialized by Hazelcast).
 *
 * <pre>
 * mp4j.start.MEMBER     (pools → worker host of MEMBER, many writers)
 *   START  kind(1) | maxTasks(4) | linkId(UTF) | clientUuid(UTF) | serializer(UTF) | initializer bytes
 *   ABANDON kind(1) | linkId(UTF): the pool gave worker LINK up (task timeout, cancel, terminate); the
 *          worker ends after its current task, answering nothing (its queues are destroyed by then)
 * mp4j.w.LINK.tasks     (the pool → the worker thread of LINK)
 *   TASK   kind(1) | pool task message (TaskMessages)
 *   STOP   kind(1) | abandon(1): 0 = answer EXIT after the tasks sent before; 1 = end silently (killed)
 * mp4j.w.LINK.answers   (the worker thread of LINK → the pool)
 *   STARTED kind(1): the worker thread is up and runs the pool's initializer (sent only when there is
 *          one), so that the pool's start timeout bounds the start, not the initializer (as locally)
 *   ANSWER kind(1) | pool answer message (READY, INIT_FAILED, OK, FAILED)
 *   EXIT   kind(1) | code(4): the worker thread ended (0: told to stop or maxTasks reached)
 * </pre>
 *
 * Member attributes: {@code mp4j.workers} (how many worker threads the member offers; members without it
 * are not given workers) and {@code mp4j.pid} (the member JVM's pid, reported as the worker's pid).
 */
public final class Protocol {
    public static final byte START = 1;
    public static final byte TASK = 2;
    public static final byte STOP = 3;
    public static final byte ANSWER = 4;
    public static final byte EXIT = 5;
    public static final byte ABANDON = 6;
    public static final byte STARTED = 7;

    public static final String WORKERS_ATTRIBUTE = "mp4j.workers";
    public static final String PID_ATTRIBUTE = "mp4j.pid";

    private Protocol() {
    }

    public static String controlQueue(UUID member) {
        return "mp4j.start." + member;
    }

    public static String taskQueue(String linkId) {
        return "mp4j.w." + linkId + ".tasks";
    }

    public static String answerQueue(String linkId) {
        return "mp4j.w." + linkId + ".answers";
    }

    /** {@code kind | message}. */
    public static byte[] wrap(byte kind, byte[] message) {
        byte[] out = new byte[1 + message.length];
        out[0] = kind;
        System.arraycopy(message, 0, out, 1, message.length);
        return out;
    }

    /** The message of a {@link #wrap}ped body. */
    public static byte[] unwrap(byte[] body) {
        return java.util.Arrays.copyOfRange(body, 1, body.length);
    }

    public static byte[] stop(boolean abandon) {
        return new byte[] {STOP, (byte) (abandon ? 1 : 0)};
    }

    /** An ABANDON body for worker {@code linkId} (sent on its member's control queue). */
    public static byte[] abandon(String linkId) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(ABANDON);
            out.writeUTF(linkId);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The link id of an ABANDON body.
     *
     * @throws IOException if {@code body} is not an ABANDON body
     */
    public static String abandonedLink(byte[] body) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
        if (in.readByte() != ABANDON) {
            throw new IOException("not an ABANDON request");
        }
        return in.readUTF();
    }

    public static byte[] exit(int code) {
        byte[] out = new byte[5];
        out[0] = EXIT;
        Frames.putInt(out, 1, code);
        return out;
    }

    public static int exitCode(byte[] body) {
        return body.length >= 5 ? Frames.getInt(body, 1) : -1;
    }

    /** A request to start one worker thread. */
    public record Start(int maxTasks, String linkId, UUID client, String serializer, byte[] initializer) {
        public byte[] encode() {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(bytes);
                out.writeByte(START);
                out.writeInt(maxTasks);
                out.writeUTF(linkId);
                out.writeUTF(client.toString());
                out.writeUTF(serializer);
                out.write(initializer);
                out.flush();
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** @throws IOException if {@code body} is not a START body */
        public static Start decode(byte[] body) throws IOException {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
            if (in.readByte() != START) {
                throw new IOException("not a START request");
            }
            int maxTasks = in.readInt();
            String linkId = in.readUTF();
            UUID client;
            try {
                client = UUID.fromString(in.readUTF());
            } catch (IllegalArgumentException e) {
                throw new IOException("START request with a malformed client id", e);
            }
            String serializer = in.readUTF();
            return new Start(maxTasks, linkId, client, serializer, in.readAllBytes());
        }
    }
}
