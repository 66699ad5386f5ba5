package org.multiprocessing4j;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A parent JVM for tests of what happens to children when their parent goes away. Starts a daemon child
 * that sleeps forever and a non-daemon child that writes {@code args[1]} after 500 ms (mode
 * {@code normal-exit}) or sleeps forever (mode {@code wait}), prints {@code pids <daemon> <worker>}, then
 * returns from main ({@code normal-exit}) or waits to be killed ({@code wait}).
 */
public final class IntermediateParentMain {
    private IntermediateParentMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean normalExit = args[0].equals("normal-exit");
        String marker = args.length > 1 ? args[1] : "";
        Process daemon = new Process("daemon-child", ProcessLifecycleTest::sleepForever);
        daemon.setDaemon(true);
        daemon.start();
        Process worker = new Process("worker-child", normalExit ? () -> {
            ProcessLifecycleTest.sleep(500);
            try {
                Files.writeString(Path.of(marker), "done");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        } : ProcessLifecycleTest::sleepForever);
        worker.start();
        System.out.println("pids " + daemon.pid().getAsLong() + " " + worker.pid().getAsLong());
        System.out.flush();
        if (!normalExit) {
            ProcessLifecycleTest.sleepForever();
        }
    }
}
