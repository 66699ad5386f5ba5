package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Manager proxies and sessions: second proxies, shared sessions, restarted servers, lock order between served objects, closing under load. */
class ManagerProxyLifetimeTest extends ChildProcessTestBase {

    /** Creates a list, stores it in {@code d}, returns a weak ref to the creating proxy (unreachable after). */
    private static WeakReference<Object> storeAndDrop(Manager manager, ConcurrentMap<String, Object> d) {
        List<String> created = manager.list(List.of("a"));
        d.put("k", created);
        return new WeakReference<>(java.lang.reflect.Proxy.getInvocationHandler(created));
    }

    @Test
    void aProxyGotFromADictStaysUsableAfterTheCreatingProxyIsCollected() throws Exception {
        assertTimeoutPreemptively(HANG, () -> {
            try (Manager manager = Manager.start()) {
                ConcurrentMap<String, Object> d = manager.dict();
                WeakReference<Object> creator = storeAndDrop(manager, d);
                @SuppressWarnings("unchecked")
                List<String> again = (List<String>) d.get("k"); // a second proxy of the same list, in this process
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (creator.get() != null && System.nanoTime() < deadline) {
                    System.gc();
                    Thread.sleep(20);
                }
                Thread.sleep(200); // the cleaner queues the release
                d.size(); // carries the release
                again.add("b"); // threw IllegalStateException: object #n no longer exists in the manager
                assertEquals(List.of("a", "b"), new ArrayList<>(again));
            }
        });
    }

    private static final byte[] KEY = "probe-d-key".getBytes();
    static final java.util.concurrent.ConcurrentMap<String, Integer> COUNTS = new java.util.concurrent.ConcurrentHashMap<>();
    static final java.util.concurrent.BlockingQueue<String> JOBS = new java.util.concurrent.LinkedBlockingQueue<>();

    @Test
    void serveForeverOnAClosedStartedServerThrowsAsDocumented() throws Exception {
        ManagerServer server = Manager.server(new java.net.InetSocketAddress("127.0.0.1", 0), KEY).register("c", () -> COUNTS).start();
        server.close();
        assertTimeoutPreemptively(HANG, () -> org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, server::serveForever));
    }

    /** A ManagerServer in a child JVM on a free loopback port; the port arrives on {@code portOut[0]}. */
    private static Process serverProcess(Connection[] portOut) throws Exception {
        Pipe pipe = Pipe.open(false);
        Connection sender = pipe.right();
        Process server = new Process("probe-d-server", () -> {
            try (ManagerServer s = Manager.server(new java.net.InetSocketAddress("127.0.0.1", 0), KEY)
                    .register("counts", () -> COUNTS).register("jobs", () -> JOBS).start()) {
                sender.send(((java.net.InetSocketAddress) s.address()).getPort());
                s.serveForever();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        server.start();
        portOut[0] = pipe.left();
        return server;
    }

    @Test
    void closingOneRemoteManagerLeavesAnotherOpenOneToTheSameServerWorking() throws Exception {
        Connection[] port = new Connection[1];
        Process server = serverProcess(port);
        try {
            java.net.SocketAddress address = new java.net.InetSocketAddress("127.0.0.1", (Integer) port[0].recv());
            assertTimeoutPreemptively(HANG, () -> {
                try (RemoteManager second = Manager.connect(address, KEY)) {
                    @SuppressWarnings("unchecked")
                    ConcurrentMap<String, Integer> counts = second.get("counts", ConcurrentMap.class);
                    counts.put("a", 1);
                    try (RemoteManager first = Manager.connect(address, KEY)) {
                        first.get("jobs", java.util.concurrent.BlockingQueue.class).offer("x");
                    }
                    Thread.sleep(500); // the server sees the closed connections end
                    assertEquals(1, counts.get("a")); // the second manager was never closed
                }
            });
        } finally {
            port[0].close();
            server.kill();
            server.join();
        }
    }

    @Test
    void aUnixSocketServerServesAChildClientAndGoneIsPrompt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path sock = dir.resolve("uds-" + System.nanoTime() + ".sock");
        COUNTS.clear();
        java.net.UnixDomainSocketAddress address = java.net.UnixDomainSocketAddress.of(sock);
        try (ManagerServer server = Manager.server(address, KEY).register("counts", () -> COUNTS).start()) {
            Process child = new Process(() -> {
                try (RemoteManager c = Manager.connect(address, KEY)) {
                    @SuppressWarnings("unchecked")
                    ConcurrentMap<String, Integer> m = c.get("counts", ConcurrentMap.class);
                    for (int i = 0; i < 100; i++) {
                        m.merge("n", 1, (SerializableBiFunction<Integer, Integer, Integer>) Integer::sum);
                    }
                }
            });
            child.start();
            assertEquals(0, joined(child));
            assertEquals(100, COUNTS.get("n"));
            try (RemoteManager c = Manager.connect(address, KEY)) {
                @SuppressWarnings("unchecked")
                ConcurrentMap<String, Integer> m = c.get("counts", ConcurrentMap.class);
                assertEquals(100, m.get("n"));
            }
        }
        org.junit.jupiter.api.Assertions.assertFalse(java.nio.file.Files.exists(sock), "socket file removed");
    }

    @Test
    void threadsHammeringProxiesWhileTheManagerClosesEndWithManagerUnavailable() throws Exception {
        Manager manager = Manager.start();
        ConcurrentMap<String, Integer> d = manager.dict();
        List<String> l = manager.list();
        java.util.concurrent.atomic.AtomicReference<Throwable> odd = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(6);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().start(() -> {
                running.countDown();
                try {
                    for (int i = 0; ; i++) {
                        d.merge("k" + id, 1, (SerializableBiFunction<Integer, Integer, Integer>) Integer::sum);
                        l.add("x");
                        if (i % 50 == 0) {
                            l.clear();
                        }
                    }
                } catch (ManagerUnavailableException expected) {
                    // the end
                } catch (Throwable other) {
                    odd.compareAndSet(null, other);
                }
            }));
        }
        running.await();
        Thread.sleep(300);
        manager.close();
        for (Thread t : threads) {
            t.join(HANG);
            org.junit.jupiter.api.Assertions.assertFalse(t.isAlive(), "a thread hangs after close");
        }
        if (odd.get() != null) {
            throw new AssertionError("a call failed with other than ManagerUnavailableException", odd.get());
        }
    }

    @Test
    void aClientWaitingToBeAcceptedByAUnixListenerThatClosesGetsIOException(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path sock = dir.resolve("l-" + System.nanoTime() + ".sock");
        java.net.UnixDomainSocketAddress address = java.net.UnixDomainSocketAddress.of(sock);
        Listener listener = new Listener(address, KEY);
        java.util.concurrent.CompletableFuture<Object> result = new java.util.concurrent.CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try (Connection c = Client.connect(address, KEY)) {
                result.complete(c);
            } catch (Throwable e) {
                result.complete(e);
            }
        });
        Thread.sleep(500);
        listener.close();
        Object r = result.get(30, TimeUnit.SECONDS);
        org.junit.jupiter.api.Assertions.assertInstanceOf(java.io.IOException.class, r);
        t.join();
    }

    /** Two threads extend each of two manager lists by the other (Python's a.extend(b), b.extend(a)). */
    @Test
    void listsExtendedByEachOtherConcurrentlyNeverDeadlockTheManager() throws Exception {
        try (Manager manager = Manager.start()) {
            List<Integer> a = manager.list(List.of(1));
            List<Integer> b = manager.list(List.of(2));
            ConcurrentMap<String, Integer> c = manager.dict(java.util.Map.of("c", 1));
            ConcurrentMap<String, Integer> e = manager.dict(java.util.Map.of("e", 2));
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                Thread t1 = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 1000; i++) {
                        a.addAll(b);
                        c.putAll(e);
                        if (a.size() > 8) {
                            a.clear();
                            a.add(1);
                            c.clear();
                        }
                    }
                });
                Thread t2 = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 1000; i++) {
                        b.addAll(a);
                        e.putAll(c);
                        if (b.size() > 8) {
                            b.clear();
                            b.add(2);
                            e.clear();
                        }
                    }
                });
                t1.join();
                t2.join();
            }, "a.addAll(b) and b.addAll(a) at once deadlocked in the manager");
        }
    }

    /** A server in a child JVM on {@code port} (0: any) serving "m", a new map whose "v" is {@code tag}; its port arrives on {@code portOut[0]}. */
    private static Process taggedServer(int port, String tag, Connection[] portOut) throws Exception {
        Pipe pipe = Pipe.open(false);
        Connection sender = pipe.right();
        Process server = new Process("tagged-manager-server", () -> {
            java.util.concurrent.ConcurrentHashMap<String, String> m = new java.util.concurrent.ConcurrentHashMap<>();
            m.put("v", tag);
            try (ManagerServer s = Manager.server(new java.net.InetSocketAddress("127.0.0.1", port), KEY)
                    .register("m", () -> m).start()) {
                sender.send(((java.net.InetSocketAddress) s.address()).getPort());
                s.serveForever();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        server.start();
        portOut[0] = pipe.left();
        return server;
    }

    @Test
    void aProxyOfAServerThatRestartedAtTheSameAddressNeverReachesAnotherObject() throws Exception {
        Connection[] port = new Connection[1];
        Process first = taggedServer(0, "one", port);
        int p = (Integer) port[0].recv();
        port[0].close();
        java.net.SocketAddress address = new java.net.InetSocketAddress("127.0.0.1", p);
        Process second = null;
        try (RemoteManager client = Manager.connect(address, KEY)) {
            @SuppressWarnings("unchecked")
            ConcurrentMap<String, String> m = client.get("m", ConcurrentMap.class);
            assertEquals("one", m.get("v"));
            first.kill();
            first.join(HANG);
            second = taggedServer(p, "two", port);
            port[0].recv();
            port[0].close();
            // a new connect works at once though this process still has connections to the first server
            RemoteManager c = Manager.connect(address, KEY);
            @SuppressWarnings("unchecked")
            ConcurrentMap<String, String> fresh = c.get("m", ConcurrentMap.class);
            assertEquals("two", fresh.get("v"));
            Object seen;
            try {
                seen = m.get("v");
            } catch (ManagerUnavailableException | IllegalStateException gone) {
                seen = gone;
            }
            // the object this proxy names is gone with the first server: it must not read the second's
            org.junit.jupiter.api.Assertions.assertNotEquals("two", seen, "a proxy of the dead server read the new server's object");
            c.close();
        } finally {
            if (second != null) {
                second.kill();
                second.join(HANG);
            }
            first.kill();
            first.join(HANG);
        }
    }

    @Test
    void aClosedRemoteManagerRefusesGetRatherThanOpeningASessionNothingCanEnd() throws Exception {
        byte[] key = "closed-remote-manager".getBytes();
        try (ManagerServer server = Manager.server(new java.net.InetSocketAddress("127.0.0.1", 0), key)
                .register("fresh", java.util.concurrent.ConcurrentHashMap::new).start()) {
            java.net.SocketAddress address = server.address();
            Pipe pipe = Pipe.open(true);
            Connection child = pipe.right();
            Process client = new Process("closed-remote-client", () -> {
                try {
                    RemoteManager remote = Manager.connect(address, key);
                    remote.get("fresh", ConcurrentMap.class).put("k", 1);
                    remote.close();
                    String outcome;
                    try {
                        remote.get("fresh", ConcurrentMap.class).put("k", 2);
                        outcome = "got a proxy from a closed RemoteManager";
                    } catch (IllegalStateException expected) {
                        outcome = expected.getMessage();
                    }
                    child.send(outcome);
                    child.recv(); // stays alive (a session it opened would live on) until the parent has looked
                } catch (java.io.IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            client.start();
            try (Connection parent = pipe.left()) {
                String outcome = (String) parent.recv();
                assertTrue(outcome.contains("closed") && outcome.contains(address.toString().replace("/", "")),
                        "a get after close: " + outcome);
                // NOTE: before, that get opened a session on the forgotten client: it held a new object (and a
                // connection thread in the server) until the client process exited, and no close could end it
                long deadline = System.nanoTime() + HANG.toNanos();
                while (server.objectCount() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(0, server.objectCount(), "objects held by the client's closed RemoteManager");
                parent.send("done");
            }
            assertEquals(0, joined(client));
        }
    }
}
