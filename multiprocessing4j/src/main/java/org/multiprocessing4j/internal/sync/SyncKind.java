package org.multiprocessing4j.internal.sync;

/**
 * Which primitive a sync file holds, recorded in its header so that attaching a file as the wrong kind
 * fails with a message naming both. The numbers are part of the file layout: never renumber.
 */
public enum SyncKind {
    LOCK(1, "a lock"),
    RLOCK(2, "a reentrant lock"),
    SEMAPHORE(3, "a semaphore"),
    EVENT(4, "an event"),
    CONDITION(5, "a condition"),
    BARRIER(6, "a barrier");

    private final int code;
    private final String noun;

    SyncKind(int code, String noun) {
        this.code = code;
        this.noun = noun;
    }

    /** The number stored in the header. */
    int code() {
        return code;
    }

    /** What the kind is, for messages: "a lock". */
    String noun() {
        return noun;
    }

    static String nounOf(int code) {
        for (SyncKind k : values()) {
            if (k.code == code) {
                return k.noun;
            }
        }
        return "kind " + code;
    }
}
