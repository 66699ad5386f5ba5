package org.multiprocessing4j.internal.pool;

import java.io.EOFException;
import java.io.IOException;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.multiprocessing4j.ProcessError;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.internal.launch.ChildClassPath;
import org.multiprocessing4j.internal.pipe.DefaultCodec;
import org.multiprocessing4j.internal.pipe.RingConnection;
import org.multiprocessing4j.internal.queue.QueueFeeder;
import org.multiprocessing4j.internal.ring.BrokenRingException;
import org.multiprocessing4j.internal.ring.MessageBuffer;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.multiprocessing4j.internal.wire.PackedList;
import org.multiprocessing4j.internal.wire.ThrowableCodec;

/**
 * What a pool worker JVM runs: the initializer once, then tasks from its pipe until the pool closes the
 * pipe (EOF, or a closed pipe for the answer "skipped" it no longer needs) or, with {@code maxTasks > 0},
 * after that many tasks; answers go back on the same pipe in the format of {@link TaskMessages}. An
 * {@link OutOfMemoryError} halts the JVM with status 3 (as HotSpot's {@code -XX:+ExitOnOutOfMemoryError}):
 * a heap that ran out is not trusted with the next task, and the pool reports the death to the task's
 * caller. Any other throwable is the task's answer.
 * Each answer is sent as soon as its task ends, so a worker's death can fail only the task it was
 * running (a held answer could be lost with it, or wait behind a long next task).
 */
/*
 * Implementation notes
 *
 * Unannounced answers. Waking the pool's relay for an answer costs more than the answer itself: the relay
 * is woken onto this worker's CPU (the kernel's wake-affine placement) and preempts the worker right there,
 * between its tasks, for the relay's whole turn (measured 0.2-0.3 ms on the 2-vCPU VM of DESIGN.md: a
 * context switch, the answer, a membarrier before the relay sleeps again). For a Pool(2).map of 64 tasks of
 * 5 ms that was 7-11 ms per worker of gaps between tasks. So the answer to an UNHURRIED task (a map's chunk:
 * its call waits for every chunk anyway) goes into the ring without a wake-up when the worker's next task is
 * already there and fewer than UNANNOUNCED_MAX answers went so before it; the next answer sent normally, the
 * pipe's close at the worker's end, or the relay's own futex slice (20-100 ms) brings them. Nothing waits
 * for them longer than that, and they are in the ring: a worker killed after sending them loses none. The
 * relay takes up to RELAY_BATCH answers at once, so a normal answer after UNANNOUNCED_MAX unannounced ones
 * is one batch; the worker still holds most of its sent-ahead tasks (Dispatcher.PREFETCH) meanwhile.
 */
public final class WorkerLoop implements SerializableRunnable {
    @Serial
    private static final long serialVersionUID = 1L;
    /** Exit status of a worker whose heap ran out. */
    static final int OUT_OF_MEMORY_STATUS = 3;
    private static final int FUNCTIONS_KEPT = 8;
    /** Answers sent in a row without waking the pool's relay, at most (see the notes). */
    static final int UNANNOUNCED_MAX = 7;

    private final RingConnection pipe;
    /** Set by {@link #leave()}: this worker ends normally, its queues' items in. */
    private transient boolean leaving;
    private final String slotsPath;
    /**
     * The initializer encoded by {@link TaskRunner#encodeInitializer} (empty: none). NOTE: decoded here, not with
     * this object: a class of it the child cannot load then fails as the initializer, naming that class, and
     * breaks the pool at once; it failed the whole process object, whose JVM exited 1 before READY, and three
     * such deaths broke the pool with a message that named no class.
     */
    private final byte[] initializer;
    private final int maxTasks;
    private final String serializer;

    WorkerLoop(RingConnection pipe, String slotsPath, byte[] initializer, int maxTasks, String serializer) {
        this.pipe = pipe;
        this.slotsPath = slotsPath;
        this.initializer = initializer;
        this.maxTasks = maxTasks;
        this.serializer = serializer;
    }

    @Override
    public void run() {
        ObjectCodec codec = DefaultCodec.of(serializer);
        ThrowableCodec throwables = new ThrowableCodec(codec);
        ClassLoader loader = loader();
        Map<Long, Object> functions = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Object> eldest) {
                return size() > FUNCTIONS_KEPT;
            }
        };
        TaskSlots slots = null;
        try {
            pipe.poll(); // NOTE: claims both ring ends now, so the pool sees EOF if this JVM dies in the initializer
            slots = TaskSlots.attach(Path.of(slotsPath));
            slots.unlink(); // both sides have it mapped now; the pool removes it too if this JVM never got here
            if (initializer.length > 0) {
                try {
                    initializer(codec, loader).run();
                } catch (OutOfMemoryError e) {
                    Runtime.getRuntime().halt(OUT_OF_MEMORY_STATUS);
                } catch (Throwable t) {
                    pipe.sendBytes(TaskMessages.message(TaskMessages.INIT_FAILED, TaskMessages.NO_TASK, throwables.encode(t)));
                    return;
                }
            }
            pipe.sendBytes(TaskMessages.message(TaskMessages.READY, TaskMessages.NO_TASK, new byte[0]));
            // NOTE: one buffer for every task message: each is decoded before the next is read.
            MessageBuffer received = new MessageBuffer();
            int unannounced = 0;
            for (int done = 0; maxTasks <= 0 || done < maxTasks; ) {
                try {
                    pipe.recvInto(received);
                } catch (EOFException closedByPool) {
                    leave();
                    return;
                }
                byte[] task = received.array();
                int length = received.length();
                if (length < TaskMessages.HEADER) {
                    throw new IOException("pool task of " + length + " bytes is shorter than its header");
                }
                int slot = TaskMessages.slot(task);
                if (!slots.start(slot)) {
                    // NOTE: the pool took this task back for an idle worker; it runs there, not here.
                    try {
                        pipe.sendBytes(TaskMessages.message(TaskMessages.SKIPPED, TaskMessages.taskId(task, length), slot, new byte[0]));
                    } catch (BrokenRingException letGo) {
                        // NOTE: the task ended on the other worker, and with it the pool's last work: the
                        // closing pool let this worker go before it got here. It owes nothing: a normal end.
                        leave();
                        return;
                    }
                    continue;
                }
                byte[] answer = answer(task, length, slot, codec, throwables, loader, functions);
                if (!slots.finish(slot)) {
                    // NOTE: the pool cancelled this task while it ran (cancel(true)) and is killing this worker:
                    // nothing more may start here (the next task sent ahead goes back to the pool's queue)
                    return;
                }
                // NOTE: the answer to an unhurried task, while the next task already waits here, goes without
                // waking the pool's relay (see the notes)
                if (TaskMessages.unhurried(task) && unannounced < UNANNOUNCED_MAX && pipe.poll()
                        && pipe.sendBytesUnannounced(answer)) {
                    unannounced++;
                } else {
                    pipe.sendBytes(answer);
                    unannounced = 0;
                }
                done++;
            }
            leave(); // NOTE: retiring (maxTasksPerChild)
        } catch (IOException e) {
            throw new UncheckedIOException("pool worker lost its pipe", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pipe.close();
            if (slots != null) {
                slots.close();
            }
        }
        if (leaving) {
            // NOTE: the pool waits for a normal end without a limit (Worker.awaitExitCode): a thread a task left
            // running must not keep this JVM, as it would after a plain return from main
            System.exit(0);
        }
    }

    /**
     * Before a normal end: wakes the pool's relay for answers sent without a wake-up, then waits until the items this
     * worker's tasks put on queues are in, however slow their reader (CPython's worker joins its queues' feeders at
     * exit too); the pool waits for such an end without a limit (Worker.awaitExitCode), so the JVM then exits at
     * once.
     */
    private void leave() {
        try {
            pipe.announce();
        } catch (IOException | RuntimeException pipeGone) {
            // NOTE: the pool is gone or let this worker go: nobody waits for an answer
        }
        QueueFeeder.flushBeforeLeaving();
        leaving = true;
    }

    /** The answer to the task message {@code task[0, length)} in {@code slot}: OK with its result, or FAILED. */
    static byte[] answer(byte[] task, int length, int slot, ObjectCodec codec, ThrowableCodec throwables, ClassLoader loader,
                                 Map<Long, Object> functions) throws IOException {
        long id = TaskMessages.taskId(task, length);
        try {
            Object value;
            try {
                value = run(task, length, codec, loader, functions);
            } finally {
                // NOTE: a task's interrupt status is its own (ThreadPoolExecutor clears it between tasks too): left
                // set, it ended the worker's next wait for a task (the pool saw a worker death) or failed the next
                // task's first sleep
                Thread.interrupted();
            }
            return codec.encodeAfter(TaskMessages.header(TaskMessages.OK, id, slot), value, "the result of a pool task");
        } catch (OutOfMemoryError e) {
            Runtime.getRuntime().halt(OUT_OF_MEMORY_STATUS);
            throw e;
        } catch (Throwable t) {
            return TaskMessages.message(TaskMessages.FAILED, id, slot, throwables.encode(t));
        }
    }

    @SuppressWarnings("unchecked")
    private static Object run(byte[] task, int length, ObjectCodec codec, ClassLoader loader, Map<Long, Object> functions) throws Exception {
        int at = TaskMessages.HEADER;
        byte kind = TaskMessages.kind(task);
        return switch (kind) {
            case TaskMessages.CALL -> ((Callable<Object>) decodeTask(codec, task, at, length - at, loader, false)).call();
            case TaskMessages.MAP, TaskMessages.STARMAP -> {
                long fnId = TaskMessages.getLong(task, at);
                int fnLength = TaskMessages.getInt(task, at + 8);
                int argsAt = at + 12 + fnLength;
                if (fnLength < 0 || fnLength > length - at - 12) {
                    throw new IOException("malformed map task: function of " + fnLength + " bytes in " + length);
                }
                Object fn = functions.get(fnId);
                if (fn == null) {
                    fn = decodeTask(codec, task, at + 12, fnLength, loader, false);
                    functions.put(fnId, fn);
                }
                // NOTE: numbers in and out stay unboxed arrays (PackedList): a chunk's 125,000 boxed arguments
                // and results were all alive at once, and most of the worker's time went to storing them.
                List<?> args = (List<?>) decodeTask(codec, task, argsAt, length - argsAt, loader, true);
                PackedList.Builder results = new PackedList.Builder(args.size());
                if (kind == TaskMessages.MAP) {
                    Function<Object, Object> f = (Function<Object, Object>) fn;
                    for (Object arg : args) {
                        results.add(f.apply(arg));
                    }
                } else {
                    BiFunction<Object, Object, Object> f = (BiFunction<Object, Object, Object>) fn;
                    for (Object arg : args) {
                        Map.Entry<?, ?> pair = (Map.Entry<?, ?>) arg;
                        results.add(f.apply(pair.getKey(), pair.getValue()));
                    }
                }
                yield results.build();
            }
            default -> throw new IOException("unknown pool task kind " + kind);
        };
    }

    /**
     * Decodes part of a task message; a class this JVM cannot load becomes a {@link ProcessError} that says why
     * (a task's own ClassNotFoundException, thrown while it runs, stays as it is).
     */
    private static Object decodeTask(ObjectCodec codec, byte[] task, int at, int length, ClassLoader loader, boolean packed)
            throws IOException {
        try {
            return packed ? codec.decodePacked(task, at, length, loader) : codec.decode(task, at, length, loader);
        } catch (ClassNotFoundException e) {
            throw new ProcessError(ChildClassPath.cannotLoad("a pool task", e), e);
        }
    }

    private SerializableRunnable initializer(ObjectCodec codec, ClassLoader loader) throws IOException {
        try {
            return (SerializableRunnable) codec.decode(initializer, loader);
        } catch (ClassNotFoundException e) {
            throw new ProcessError(ChildClassPath.cannotLoad("the pool's initializer", e), e);
        }
    }

    private static ClassLoader loader() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return loader != null ? loader : WorkerLoop.class.getClassLoader();
    }
}
