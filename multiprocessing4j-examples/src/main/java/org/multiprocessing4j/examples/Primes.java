package org.multiprocessing4j.examples;

/** Deliberately plain CPU work for the demo. */
final class Primes {
    private Primes() {
    }

    static long count(int from, int to) {
        long n = 0;
        for (int i = Math.max(from, 2); i < to; i++) {
            if (isPrime(i)) {
                n++;
            }
        }
        return n;
    }

    private static boolean isPrime(int k) {
        if (k % 2 == 0) {
            return k == 2;
        }
        for (int d = 3; (long) d * d <= k; d += 2) {
            if (k % d == 0) {
                return false;
            }
        }
        return true;
    }
}
