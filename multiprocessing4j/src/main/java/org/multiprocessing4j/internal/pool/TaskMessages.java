package org.multiprocessing4j.internal.pool;

import java.io.IOException;

/**
 * The wire format between a pool and its workers: one pipe message per task and one per answer. A body is
 * encoded straight after its header ({@link #header}, {@link #mapHead}), never copied behind it.
 *
 * <pre>
 * task   (pool → worker): kind(1) | taskId(8) | slot(1) | body
 *   kind = CALL, MAP or STARMAP, plus UNHURRIED for a task whose answer nobody awaits alone
 *   CALL     body = encoded SerializableCallable
 *   MAP      body = fnId(8) | fnLength(4) | encoded SerializableFunction | encoded List of arguments
 *   STARMAP  body = as MAP, with a SerializableBiFunction and a List of Map.Entry arguments
 * answer (worker → pool): status(1) | taskId(8) | slot(1) | body
 *   OK           body = encoded result (a List of results for MAP and STARMAP)
 *   FAILED       body = ThrowableCodec bytes of the task's exception
 *   SKIPPED      no body: the pool took the task back before the worker started it (TaskSlots)
 *   READY        taskId = -1, no body: the worker's first message, after its initializer
 *   INIT_FAILED  taskId = -1, body = ThrowableCodec bytes of the initializer's exception (instead of READY)
 * </pre>
 *
 * The slot is the task's entry in the worker's {@link TaskSlots} table; the pool writes it into the
 * message (the last header byte) when it assigns the task to a worker.
 *
 * Numbers are big-endian. The function of a map call travels in every chunk (a few hundred bytes, which each chunk's
 * message references instead of copying) with an id unique in the pool, so a worker decodes it once per call and reuses it for later chunks.
 */
public final class TaskMessages {
    static final byte CALL = 1;
    static final byte MAP = 2;
    static final byte STARMAP = 3;
    /**
     * Flag on a task's kind: its answer is awaited only with its call's other answers (a map's chunk), so
     * the worker may leave the pool's relay asleep for it while it goes on with its next task (WorkerLoop).
     */
    static final byte UNHURRIED = 0x40;

    static final byte OK = 1;
    static final byte FAILED = 2;
    static final byte INIT_FAILED = 3;
    static final byte SKIPPED = 4;
    /** The worker ran its initializer and takes tasks (its first message, or INIT_FAILED). */
    static final byte READY = 6;

    static final int SLOT_AT = 9;
    public static final int HEADER = 10;
    static final long NO_TASK = -1;

    private TaskMessages() {
    }

    /** A message of {@code kind} for task {@code id} in {@code slot} whose body is {@code body}. */
    static byte[] message(byte kind, long id, int slot, byte[] body) {
        byte[] out = message(kind, id, body);
        out[SLOT_AT] = (byte) slot;
        return out;
    }

    /** The kind of a task message (CALL, MAP or STARMAP), without its flags. */
    static byte kind(byte[] task) {
        return (byte) (task[0] & ~UNHURRIED);
    }

    /** Whether a task message carries {@link #UNHURRIED}. */
    static boolean unhurried(byte[] task) {
        return (task[0] & UNHURRIED) != 0;
    }

    /** The slot byte of a task or answer message (unchecked length: at least {@link #HEADER} bytes). */
    public static int slot(byte[] message) {
        return message[SLOT_AT] & 0xFF;
    }

    /** A message of {@code kind} for task {@code id} whose body is {@code body} (slot 0 until assigned). */
    static byte[] message(byte kind, long id, byte[] body) {
        byte[] out = new byte[HEADER + body.length];
        out[0] = kind;
        putLong(out, 1, id);
        System.arraycopy(body, 0, out, HEADER, body.length);
        return out;
    }

    /** The {@link #HEADER} bytes of a message of {@code kind} for task {@code id} in {@code slot}: its body is encoded after them. */
    static byte[] header(byte kind, long id, int slot) {
        byte[] out = new byte[HEADER];
        out[0] = kind;
        putLong(out, 1, id);
        out[SLOT_AT] = (byte) slot;
        return out;
    }

    /**
     * The start of a MAP or STARMAP message before its function's bytes: header, the function's id and length.
     * The function follows it as shared bytes, not copied into each chunk's message, and the arguments are
     * encoded right after ({@code ObjectCodec.encodeMessage(head, function, chunk, what)}).
     */
    static byte[] mapHead(byte kind, long id, long fnId, int fnLength) {
        byte[] out = new byte[HEADER + 12];
        out[0] = kind;
        putLong(out, 1, id);
        putLong(out, HEADER, fnId);
        putInt(out, HEADER + 8, fnLength);
        return out;
    }

    static long taskId(byte[] message) throws IOException {
        return taskId(message, message.length);
    }

    /** The task id of the message in {@code message[0, length)}. */
    static long taskId(byte[] message, int length) throws IOException {
        if (length < HEADER) {
            throw new IOException("pool message of " + length + " bytes is shorter than its " + HEADER + "-byte header");
        }
        return getLong(message, 1);
    }

    static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static void putInt(byte[] b, int at, int v) {
        for (int i = 3; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    static int getInt(byte[] b, int at) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
