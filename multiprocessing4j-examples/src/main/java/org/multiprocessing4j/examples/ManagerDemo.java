package org.multiprocessing4j.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import org.multiprocessing4j.Manager;
import org.multiprocessing4j.ManagerUnavailableException;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.SerializableBiFunction;

/** The demo's manager part: a dict and a nested list shared by child JVMs, and a manager killed mid-use. */
final class ManagerDemo {
    private ManagerDemo() {
    }

    static void run() throws Exception {
        System.out.println("3. A Manager (a server JVM) holds a dict; three child JVMs count into it and append to a");
        System.out.println("   list stored inside it (a proxy stored in a proxy stays a proxy):");
        try (Manager manager = Manager.start()) {
            ConcurrentMap<String, Object> d = manager.dict();
            d.put("log", manager.list());
            SerializableBiFunction<Object, Object, Object> add = (a, b) -> (Integer) a + (Integer) b;
            List<Process> children = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                int child = c;
                Process p = new Process(() -> {
                    for (int i = 0; i < 1000; i++) {
                        d.merge("hits", 1, add); // runs atomically in the manager
                    }
                    @SuppressWarnings("unchecked")
                    List<String> log = (List<String>) d.get("log");
                    log.add("child " + child + " (pid " + ProcessHandle.current().pid() + ") done");
                });
                p.start();
                children.add(p);
            }
            for (Process p : children) {
                p.join();
            }
            System.out.println("   hits = " + d.get("hits") + " (3 x 1,000 merges, none lost); log = " + d.get("log"));
            ProcessHandle.of(manager.pid().orElseThrow()).ifPresent(ProcessHandle::destroyForcibly);
            long t0 = System.nanoTime();
            try {
                d.get("hits");
            } catch (ManagerUnavailableException e) {
                System.out.printf("   manager SIGKILLed: the next call failed in %.0f ms with ManagerUnavailableException, no hang%n",
                        (System.nanoTime() - t0) / 1e6);
            }
        }
        System.out.println();
    }
}
