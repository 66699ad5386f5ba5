package org.multiprocessing4j.internal.pool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.internal.pipe.RingConnection;
import org.multiprocessing4j.internal.ring.MessageBuffer;
import org.multiprocessing4j.internal.wire.EncodedMessage;

/**
 * Workers as daemon child JVMs of a {@link Context}, each with a duplex shared-memory pipe (a {@link
 * RingConnection} pair, with the context's serializer): the pool keeps the left end, the worker's
 * {@link WorkerLoop} uses the right one. A worker that dies shows up
 * as EOF on the pipe (the ring watches its peer's pid), and, for one that died before it ever touched the
 * pipe, through its process's exit, which closes the pool's end.
 */
final class ChildWorkerLauncher implements WorkerLauncher {
    /**
     * Bytes of ring per direction: 8 MiB, so that a task or result of up to 2 MiB (a quarter of the ring)
     * passes as one record instead of being streamed in pieces (each piece a wake-up of the other side),
     * and a worker can hold a few MiB-sized tasks ahead ({@link #bytesAheadPerWorker}). The files take their
     * memory in /dev/shm when the worker is made ({@link org.multiprocessing4j.internal.shm.SharedFile#create}
     * fills them, so that a full /dev/shm fails the start, never a later send).
     */
    static final int RING_BYTES = 8 << 20;
    /**
     * Message bytes a worker may hold: half its ring, less room for record headers. Then a send never waits
     * for ring space: what is unread in the ring is at most these bytes, plus their record headers (a few
     * dozen bytes per message), plus at most one PAD record at the wrap (under a quarter of the ring), and a
     * record needs at most twice its size of free space (its own and the PAD before it), itself at most a
     * quarter of the ring: together under the whole ring.
     */
    static final long BYTES_AHEAD = RING_BYTES / 2 - (64 << 10);

    private final Context context;

    ChildWorkerLauncher(Context context) {
        this.context = context;
    }

    @Override
    public long bytesAheadPerWorker() {
        return BYTES_AHEAD;
    }

    @Override
    public WorkerLink launch(String name, SerializableRunnable initializer, int maxTasks, int slotCount) {
        byte[] encodedInitializer = TaskRunner.encodeInitializer(context.serializer().getName(), initializer);
        TaskSlots slots;
        try {
            slots = TaskSlots.create(slotCount);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the task slot table of pool worker " + name + " in /dev/shm", e);
        }
        RingConnection[] pipe;
        try {
            pipe = RingConnection.pair(true, RING_BYTES, context.serializer().getName());
        } catch (IOException e) {
            slots.unlink();
            slots.close();
            throw new UncheckedIOException("cannot create the pipe of pool worker " + name + " in /dev/shm", e);
        }
        RingConnection left = pipe[0];
        RingConnection right = pipe[1];
        Process process;
        try {
            process = context.process(name, new WorkerLoop(right, slots.path().toString(), encodedInitializer, maxTasks,
                    context.serializer().getName()));
            process.setDaemon(true);
            // NOTE: the pool claims its end before the worker can: a close from this side is then seen by the
            // worker as EOF even if the worker had not touched the pipe yet (an unclaimed end is waited for).
            left.poll();
            process.start();
        } catch (IOException e) {
            left.close();
            right.close();
            left.unlinkRings();
            slots.unlink();
            slots.close();
            throw new UncheckedIOException("cannot open the pipe of pool worker " + name, e);
        } catch (RuntimeException | Error e) {
            left.close();
            right.close();
            left.unlinkRings();
            slots.unlink();
            slots.close();
            throw e;
        }
        return new ChildLink(name, process, left, slots);
    }

    private static void unlink(Connection end) {
        if (end instanceof RingConnection ring) {
            ring.unlinkRings();
        }
    }

    private static final class ChildLink implements WorkerLink {
        private final String name;
        private final Process process;
        private final RingConnection pipe;
        private final TaskSlots slots;
        private final long pid;

        ChildLink(String name, Process process, RingConnection pipe, TaskSlots slots) {
            this.name = name;
            this.process = process;
            this.pipe = pipe;
            this.slots = slots;
            this.pid = process.pid().orElse(-1);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public void send(byte[] message) throws IOException {
            pipe.sendBytes(message);
        }

        @Override
        public void send(EncodedMessage message) throws IOException {
            pipe.sendMessage(message);
        }

        @Override
        public byte[] receive() throws IOException, InterruptedException {
            return pipe.recvBytes();
        }

        @Override
        public void receiveInto(MessageBuffer into) throws IOException, InterruptedException {
            pipe.recvInto(into);
        }

        @Override
        public int sendNow(List<EncodedMessage> messages) throws IOException {
            return pipe.sendMessagesNow(messages);
        }

        @Override
        public byte[] receiveNow() throws IOException {
            return pipe.recvBytesNow();
        }

        @Override
        public void closeChannel() {
            pipe.close();
        }

        @Override
        public TaskSlots slots() {
            return slots;
        }

        @Override
        public void release() {
            pipe.close();
            unlink(pipe);
            slots.unlink();
            slots.close();
        }

        @Override
        public void kill() {
            try {
                if (process.isAlive()) {
                    process.kill();
                }
            } catch (IllegalStateException closedAfterItsExit) {
                // awaitExit closed the process object: it is gone already
            }
        }

        @Override
        public Integer awaitExit(Duration timeout) throws InterruptedException {
            process.join(timeout);
            Integer code = process.exitCode();
            if (code != null) {
                process.close();
            }
            return code;
        }

        @Override
        public void onExit(Runnable action) {
            process.sentinel().onReady().thenRun(action);
        }

        @Override
        public String toString() {
            return name + " (pid " + pid + ")";
        }
    }
}
