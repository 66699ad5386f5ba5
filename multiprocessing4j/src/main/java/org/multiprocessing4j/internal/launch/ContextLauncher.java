package org.multiprocessing4j.internal.launch;

import java.time.Duration;
import org.multiprocessing4j.Context;
import org.multiprocessing4j.SerializableRunnable;
import org.multiprocessing4j.internal.wire.ObjectCodec;

/**
 * What one {@link Context} starts its children with: the command line, the codec of its serializer, and
 * the standby JVMs of a {@code PRESTARTED} context, which it owns and boots on first use. Also the
 * context's closed state: {@link #close()} ends the standby JVMs and refuses new ones.
 *
 * <p>Thread-safe. {@link #standby()} and {@link #close()} synchronize on this object; the rest never blocks
 * except {@link #prestart}, which waits for the AOT cache and the standby JVMs' boot.
 */
public final class ContextLauncher {
    /** How many encodings of a small capturing lambda {@link #prestart} runs to warm the codec up. */
    private static final int CODEC_WARM_UPS = 500;

    private final JvmCommand command;
    private final ObjectCodec codec;
    private final int standbyCount;
    private volatile StandbyPool standby;
    private volatile boolean closed;
    private volatile boolean codecWarm;

    /**
     * A launcher with no standby JVM yet.
     *
     * @param command the command line the context's children start with
     * @param codec the codec of the context's serializer
     * @param standbyCount how many standby JVMs {@link #standby()} keeps booted, at least 1
     */
    public ContextLauncher(JvmCommand command, ObjectCodec codec, int standbyCount) {
        this.command = command;
        this.codec = codec;
        this.standbyCount = standbyCount;
    }

    /** {@return the command line children are started with} */
    public JvmCommand command() {
        return command;
    }

    /** {@return the codec of the context's serializer} */
    public ObjectCodec codec() {
        return codec;
    }

    /**
     * The standby JVMs of a PRESTARTED context, made on first use.
     *
     * @return the standby pool
     * @throws IllegalStateException if this launcher is closed
     */
    public StandbyPool standby() {
        StandbyPool s = standby;
        if (s == null) {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("context is closed");
                }
                s = standby;
                if (s == null) {
                    standby = s = new StandbyPool(command, standbyCount);
                }
            }
        }
        return s;
    }

    /**
     * Builds the AOT cache children boot from (waiting up to two minutes), warms the codec up, and with
     * {@code fillStandby} boots the standby JVMs. Blocks until done.
     *
     * @param fillStandby whether to boot the standby JVMs (a PRESTARTED context)
     * @throws IllegalStateException if {@code fillStandby} and this launcher is closed
     */
    public void prestart(boolean fillStandby) {
        command.awaitAotCache(Duration.ofMinutes(2));
        warmCodec();
        if (fillStandby) {
            standby().fill();
        }
    }

    /** Encodes a small capturing lambda until the JIT has compiled this JVM's side of {@code start()}. */
    private void warmCodec() {
        if (codecWarm) {
            return;
        }
        String word = "warm-up";
        for (int i = 0; i < CODEC_WARM_UPS; i++) {
            int n = i;
            codec.encode((SerializableRunnable) () -> word.hashCode(), "warm-up " + n);
        }
        codecWarm = true;
    }

    /** Ends the standby JVMs, if any, and refuses new ones. Idempotent; children already started are not affected. */
    public void close() {
        StandbyPool s;
        synchronized (this) {
            closed = true;
            s = standby;
        }
        if (s != null) {
            s.close();
        }
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        return closed;
    }
}
