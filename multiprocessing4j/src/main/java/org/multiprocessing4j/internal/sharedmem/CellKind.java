package org.multiprocessing4j.internal.sharedmem;

/**
 * The element types of shared values and arrays, with the code recorded in their file and their size.
 * The code of a file is checked on attach, so a handle never reads another type's bytes.
 */
public enum CellKind {
    BYTE(1, 1, "byte"),
    SHORT(2, 2, "short"),
    INT(3, 4, "int"),
    LONG(4, 8, "long"),
    FLOAT(5, 4, "float"),
    DOUBLE(6, 8, "double"),
    CHAR(7, 2, "char");

    private final int code;
    private final int bytes;
    private final String javaName;

    CellKind(int code, int bytes, String javaName) {
        this.code = code;
        this.bytes = bytes;
        this.javaName = javaName;
    }

    public int code() {
        return code;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The Java primitive type's name, for messages. */
    public String javaName() {
        return javaName;
    }

    /** The kind of {@code code}, or null for an unknown code. */
    static CellKind ofCode(int code) {
        for (CellKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }
}
