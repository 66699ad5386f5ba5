package org.multiprocessing4j;

import java.time.Duration;

/**
 * A fresh JVM whose first use of the library's shared memory and futex code is on a virtual thread: a pipe
 * end's timed poll, then the same on a platform thread. Prints "virtual poll false" and "platform poll false".
 */
final class VirtualFirstUseMain {
    private VirtualFirstUseMain() {
    }

    public static void main(String[] args) throws Exception {
        Thread virtual = Thread.ofVirtual().start(() -> {
            try (Pipe pipe = Pipe.open()) {
                System.out.println("virtual poll " + pipe.left().poll(Duration.ofMillis(50)));
            } catch (Throwable e) {
                System.out.println("virtual failed " + e);
            }
        });
        virtual.join();
        try (Pipe pipe = Pipe.open()) {
            System.out.println("platform poll " + pipe.left().poll(Duration.ofMillis(50)));
        } catch (Throwable e) {
            System.out.println("platform failed " + e);
        }
    }
}
