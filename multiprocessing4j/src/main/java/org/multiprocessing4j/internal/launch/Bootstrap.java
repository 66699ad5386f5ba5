package org.multiprocessing4j.internal.launch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import org.multiprocessing4j.internal.wire.Nonces;

/**
 * What a parent tells a new child JVM on its stdin, before anything else: never in argv or the
 * environment, where other users could read the authkey.
 *
 * <p>Wire format (DataOutput, big-endian): {@code magic(4)="MP4B" | version(2) | authkey(len2+bytes) |
 * token(16) | rendezvous(UTF) | tree(UTF) | parentPid(8) | parentName(len4 + UTF-16BE) | serializer(UTF) |
 * launchNanos(8) | standby(1)}. After the
 * record the parent keeps stdin open and writes nothing more; end-of-stream means the parent died.
 *
 * @param token       names this child when it connects back to the rendezvous socket
 * @param rendezvous  the parent's Unix-domain socket
 * @param serializer  class name of the context's {@link org.multiprocessing4j.Serializer}
 * @param launchNanos the parent's {@link System#nanoTime()} just before it started the JVM (same clock
 *                    in both on Linux), for the boot trace
 * @param standby     a PRESTARTED standby: warm up fully, then say {@link Frames#READY}, before any run order
 */
public record Bootstrap(byte[] authkey, byte[] token, Path rendezvous, Path tree, long parentPid, String parentName,
                        String serializer, long launchNanos, boolean standby) {
    private static final int MAGIC = 0x4D503442; // "MP4B"
    private static final short VERSION = 4;
    /** The longest parent name a child accepts: far beyond any real one, short of a corrupt length. */
    private static final int MAX_NAME_BYTES = 64 << 20;
    private static final int TOKEN_BYTES = 16;

    public void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeShort(VERSION);
        out.writeShort(authkey.length);
        out.write(authkey);
        out.write(token);
        out.writeUTF(rendezvous.toString());
        out.writeUTF(tree.toString());
        out.writeLong(parentPid);
        StringField.write(out, parentName);
        out.writeUTF(serializer);
        out.writeLong(launchNanos);
        out.writeBoolean(standby);
        out.flush();
    }

    public static Bootstrap readFrom(DataInputStream in) throws IOException {
        int magic = in.readInt();
        short version = in.readShort();
        if (magic != MAGIC || version != VERSION) {
            throw new IOException(String.format("not a multiprocessing4j bootstrap record (magic 0x%08x, version %d):"
                    + " this entry point is started by the library, not by hand", magic, version));
        }
        byte[] authkey = new byte[in.readUnsignedShort()];
        in.readFully(authkey);
        byte[] token = new byte[TOKEN_BYTES];
        in.readFully(token);
        Path rendezvous = Path.of(in.readUTF());
        Path tree = Path.of(in.readUTF());
        long parentPid = in.readLong();
        String parentName = StringField.read(in, MAX_NAME_BYTES, "parent's name");
        String serializer = in.readUTF();
        long launchNanos = in.readLong();
        boolean standby = in.readBoolean();
        return new Bootstrap(authkey, token, rendezvous, tree, parentPid, parentName, serializer, launchNanos, standby);
    }

    public static byte[] newToken() {
        return Nonces.next(TOKEN_BYTES);
    }

    public static int tokenBytes() {
        return TOKEN_BYTES;
    }
}
