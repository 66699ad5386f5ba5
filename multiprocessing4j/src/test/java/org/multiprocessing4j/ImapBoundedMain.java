package org.multiprocessing4j;

/**
 * A parent JVM with a small heap (the test gives it {@code -Xmx48m}) that streams {@code args[0]} results of
 * 16 KiB each through {@code imap} over an endless input, far more than its heap could hold, then prints
 * {@code streamed <n>}. If the pool kept results or read the input without bound, it would run out of heap.
 */
public final class ImapBoundedMain {
    static final int RESULT_BYTES = 16 << 10;

    private ImapBoundedMain() {
    }

    public static void main(String[] args) throws Exception {
        long n = Long.parseLong(args[0]);
        long bytes = 0;
        try (Pool pool = new Pool(2)) {
            ResultIterator<byte[]> results = pool.imap((Long x) -> {
                byte[] b = new byte[RESULT_BYTES];
                b[0] = (byte) x.longValue();
                return b;
            }, new EndlessInput(), 10);
            for (long i = 0; i < n; i++) {
                byte[] b = results.next();
                if (b.length != RESULT_BYTES || b[0] != (byte) i) {
                    throw new AssertionError("result " + i + " is wrong: " + b.length + " bytes, first " + b[0]);
                }
                bytes += b.length;
            }
            pool.terminate();
        }
        System.out.println("streamed " + n + " " + bytes);
        System.out.flush();
    }
}
