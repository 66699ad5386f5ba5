package org.mp4jtest;

import org.multiprocessing4j.Multiprocessing;
import org.multiprocessing4j.Process;

import java.lang.management.ManagementFactory;

/**
 * A parent JVM for the launch tests (outside the library's package, so it can run beside the library as a named module): prepares the default context (AOT cache where possible), starts a
 * child that reports whether it booted from an AOT cache and whether it sees its module, and prints
 * {@code child-exit=<code>}. Exit codes from the child: 40 + (aot ? 1 : 0) + (named module ? 2 : 0).
 */
public final class JarParentMain {
    private JarParentMain() {
    }

    public static void main(String[] args) throws Exception {
        Multiprocessing.defaultContext().prestart();
        Process p = new Process(() -> {
            boolean aot = ManagementFactory.getRuntimeMXBean().getInputArguments().stream().anyMatch(a -> a.startsWith("-XX:AOTCache="));
            boolean named = Process.class.getModule().isNamed();
            System.exit(40 + (aot ? 1 : 0) + (named ? 2 : 0));
        });
        p.start();
        p.join();
        System.out.println("child-exit=" + p.exitCode());
    }
}
