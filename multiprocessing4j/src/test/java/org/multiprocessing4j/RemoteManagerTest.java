package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Remote managers over TCP: server and clients in separate JVMs, keys, and hostile peers. */
class RemoteManagerTest extends ChildProcessTestBase {
    private static final byte[] KEY = "remote-manager-test".getBytes();

    /** Objects the server JVM serves. */
    static final BlockingQueue<String> JOBS = new LinkedBlockingQueue<>();
    static final ConcurrentMap<String, Integer> COUNTS = new ConcurrentHashMap<>();

    /** Starts a ManagerServer in a child JVM on a free loopback port; returns the process and the port. */
    private static Process serverProcess(Connection[] portOut) throws Exception {
        Pipe pipe = Pipe.open(false);
        Connection sender = pipe.right();
        Process server = new Process("remote-server", () -> {
            try (ManagerServer s = Manager.server(new InetSocketAddress("127.0.0.1", 0), KEY)
                    .register("jobs", BlockingQueue.class, () -> JOBS)
                    .register("counts", () -> COUNTS)
                    .maxMessageBytes(64 * 1024)
                    .start()) {
                sender.send(((InetSocketAddress) s.address()).getPort());
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
    void aServerClosedBeforeItStartedNeverServes() {
        ManagerServer server = Manager.server(new InetSocketAddress("127.0.0.1", 0), KEY);
        server.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, server::start);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, server::serveForever);
    }

    @Test
    void proxiesFromAServerOnAWildcardAddressCarryTheAddressTheClientReached() throws Exception {
        try (ManagerServer server = Manager.server(new InetSocketAddress(0), KEY).register("counts", ConcurrentHashMap::new).start()) {
            int port = ((InetSocketAddress) server.address()).getPort();
            try (RemoteManager client = Manager.connect(new InetSocketAddress("127.0.0.1", port), KEY)) {
                @SuppressWarnings("unchecked")
                ConcurrentMap<String, Integer> counts = client.get("counts", ConcurrentMap.class);
                counts.put("a", 1);
                var bytes = new java.io.ByteArrayOutputStream();
                try (var out = new java.io.ObjectOutputStream(bytes)) {
                    out.writeObject(counts);
                }
                String wire = bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
                // NOTE: not the wildcard the server listens on, which on another machine would name that machine
                assertTrue(wire.contains("tcp:127.0.0.1:" + port), "the handle names the address the client reached");
                assertTrue(!wire.contains("0.0.0.0") && !wire.contains("0:0:0:0:0:0:0:0:"), "no wildcard in the handle");
                try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
                    @SuppressWarnings("unchecked")
                    ConcurrentMap<String, Integer> back = (ConcurrentMap<String, Integer>) in.readObject();
                    assertEquals(1, back.get("a"));
                }
            }
        }
    }

    @Test
    void aRequestOverTheServersMaxMessageBytesFailsNamingTheLimitAndTheManagerServesOn() throws Exception {
        Connection[] port = new Connection[1];
        Process server = serverProcess(port); // NOTE: another JVM: a client in the server's own JVM skips the wire
        try (RemoteManager client = Manager.connect(new InetSocketAddress("127.0.0.1", (Integer) port[0].recv()), KEY)) {
            @SuppressWarnings("unchecked")
            ConcurrentMap<String, Integer> counts = client.get("counts", ConcurrentMap.class);
            String huge = "k".repeat(100_000);
            ManagerUnavailableException e = assertThrows(ManagerUnavailableException.class, () -> counts.put(huge, 1));
            // NOTE: it said "the manager process exited or was killed" before, although it was serving on
            assertTrue(e.getMessage().contains("maxMessageBytes") && e.getMessage().contains("still runs"), e.getMessage());
            // NOTE: it named only ManagerServer.maxMessageBytes, which a Manager.start() user cannot set
            assertTrue(e.getMessage().contains("256 MiB for a Manager"), e.getMessage());
            counts.put("small", 2);
            assertEquals(2, counts.get("small"));
            assertEquals(1, counts.size());
        } finally {
            port[0].close();
            server.kill();
            server.join(HANG);
        }
    }

    @Test
    void aReplyHoldingAClassTheClientLacksFailsSayingSoNotThatTheCallThrew() throws Exception {
        // A class only this JVM has (defined at run time, on no class path): the manager here returns one.
        byte[] bytes = java.lang.classfile.ClassFile.of().build(java.lang.constant.ClassDesc.of("org.multiprocessing4j.GhostValue"), c -> {
            c.withFlags(java.lang.classfile.ClassFile.ACC_PUBLIC);
            c.withInterfaceSymbols(java.lang.constant.ClassDesc.of("java.io.Serializable"));
            c.withMethod("<init>", java.lang.constant.MethodTypeDesc.of(java.lang.constant.ConstantDescs.CD_void),
                    java.lang.classfile.ClassFile.ACC_PUBLIC, m -> m.withCode(code -> code.aload(0)
                            .invokespecial(java.lang.constant.ConstantDescs.CD_Object, "<init>",
                                    java.lang.constant.MethodTypeDesc.of(java.lang.constant.ConstantDescs.CD_void))
                            .return_()));
        });
        Object ghost = java.lang.invoke.MethodHandles.lookup().defineClass(bytes).getConstructor().newInstance();
        ConcurrentMap<String, Object> served = new ConcurrentHashMap<>();
        served.put("ghost", ghost);
        try (ManagerServer server = Manager.server(new InetSocketAddress("127.0.0.1", 0), KEY)
                .register("served", () -> served).start()) {
            int port = ((InetSocketAddress) server.address()).getPort();
            Process client = new Process(() -> {
                try (RemoteManager c = Manager.connect(new InetSocketAddress("127.0.0.1", port), KEY)) {
                    @SuppressWarnings("unchecked")
                    ConcurrentMap<String, Object> map = c.get("served", ConcurrentMap.class);
                    try {
                        map.get("ghost");
                        throw new AssertionError("the reply was read although its class is missing here");
                    } catch (ProcessError e) {
                        // NOTE: said "ConcurrentMap.get threw java.lang.ClassNotFoundException ... in the manager" before
                        if (!e.getMessage().contains("GhostValue, which is not on this process's class path")) {
                            throw new AssertionError("unclear: " + e.getMessage(), e);
                        }
                    }
                    if (map.size() != 1) {
                        throw new AssertionError("the client's session broke");
                    }
                }
            });
            client.start();
            client.join(HANG);
            assertEquals(0, client.exitCode());
        }
    }

    @Test
    void clientsInOtherJvmsShareTheServersObjects() throws Exception {
        Connection[] port = new Connection[1];
        Process server = serverProcess(port);
        try {
            SocketAddress address = new InetSocketAddress("127.0.0.1", (Integer) port[0].recv());
            try (RemoteManager client = Manager.connect(address, KEY)) {
                @SuppressWarnings("unchecked")
                BlockingQueue<String> jobs = client.get("jobs", BlockingQueue.class);
                @SuppressWarnings("unchecked")
                ConcurrentMap<String, Integer> counts = client.get("counts", ConcurrentMap.class);
                jobs.put("job-1");
                jobs.put("job-2");
                Process worker = new Process(() -> {
                    try (RemoteManager c = Manager.connect(address, KEY)) {
                        @SuppressWarnings("unchecked")
                        BlockingQueue<String> q = c.get("jobs", BlockingQueue.class);
                        String job;
                        while ((job = q.poll()) != null) {
                            counts.merge(job, 1, (SerializableBiFunction<Integer, Integer, Integer>) Integer::sum);
                        }
                    }
                });
                worker.start();
                worker.join();
                assertEquals(0, worker.exitCode());
                assertEquals(2, counts.size());
                assertEquals(1, counts.get("job-1"));
                assertTrue(jobs.isEmpty());
                assertEquals(0, client.get("jobs", java.util.Collection.class).size()); // a super-interface of the exposed one
                IllegalArgumentException exposed = assertThrows(IllegalArgumentException.class,
                        () -> client.get("jobs", java.util.Deque.class));
                assertTrue(exposed.getMessage().contains("jobs"), exposed.getMessage());
                assertThrows(IllegalArgumentException.class, () -> client.get("nothing", ConcurrentMap.class));
                @SuppressWarnings("unchecked")
                Queue<String> asQueue = client.get("jobs", Queue.class); // this library's Queue over the registered one
                Process putter = new Process(() -> {
                    try {
                        asQueue.put("from-child");
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                putter.start();
                assertEquals("from-child", asQueue.get(Duration.ofSeconds(60)));
                putter.join();
                assertThrows(QueueEmptyException.class, asQueue::getNowait);
                assertEquals(0, asQueue.qsize());
                asQueue.put("held");
                assertEquals(0, asQueue.maxsize(), "the registered LinkedBlockingQueue is unbounded, however many items it holds");
                assertEquals("held", asQueue.getNowait());
                assertThrows(IllegalArgumentException.class, () -> client.get("counts", ConcurrentHashMap.class));
            }
        } finally {
            port[0].close();
            server.kill();
            server.join();
        }
    }

    @Test
    void aWrongKeyIsRefusedNamingTheServer() throws Exception {
        Connection[] port = new Connection[1];
        Process server = serverProcess(port);
        try {
            SocketAddress address = new InetSocketAddress("127.0.0.1", (Integer) port[0].recv());
            AuthenticationException e = assertThrows(AuthenticationException.class, () -> Manager.connect(address, "wrong".getBytes()));
            assertTrue(e.getMessage().contains("cannot connect to " + address), "the message names the server: " + e.getMessage());
            try (RemoteManager ok = Manager.connect(address, KEY)) {
                assertEquals(0, ok.get("counts", ConcurrentMap.class).size());
            }
        } finally {
            port[0].close();
            server.kill();
            server.join();
        }
    }

    @Test
    void garbageStalledAndOversizePeersAreDroppedWithoutHarmingOthers() throws Exception {
        Connection[] port = new Connection[1];
        Process server = serverProcess(port);
        try {
            int p = (Integer) port[0].recv();
            SocketAddress address = new InetSocketAddress("127.0.0.1", p);
            try (RemoteManager client = Manager.connect(address, KEY);
                 Socket stalled = new Socket("127.0.0.1", p);
                 Socket garbage = new Socket("127.0.0.1", p)) {
                @SuppressWarnings("unchecked")
                ConcurrentMap<String, Integer> counts = client.get("counts", ConcurrentMap.class);
                // garbage: random bytes instead of the handshake; the server closes the socket
                garbage.setSoTimeout(30_000);
                OutputStream out = garbage.getOutputStream();
                byte[] junk = new byte[4096];
                new java.util.Random(1).nextBytes(junk);
                try {
                    out.write(junk);
                    out.flush();
                } catch (java.io.IOException closedAlready) {
                    // the server may have dropped it mid-write
                }
                InputStream in = garbage.getInputStream();
                int read = 0;
                try {
                    while (in.read() >= 0) {
                        read++;
                    }
                } catch (java.net.SocketException reset) {
                    // dropped
                }
                assertTrue(read < 1024, "the server kept talking to a garbage peer: " + read + " bytes");
                // stalled: connected, silent; others are served meanwhile
                counts.put("while-stalled", 1);
                assertEquals(1, counts.get("while-stalled"));
                // oversize: authenticated, then a frame over the server's limit (64 KiB); that connection closes
                try (Connection raw = Client.connect(address, KEY)) {
                    raw.sendBytes(new byte[1 << 20]);
                    assertThrows(EOFException.class, raw::recvBytes);
                }
                counts.put("after-oversize", 2);
                assertEquals(2, counts.get("after-oversize"));
                assertTrue(stalled.isConnected());
            }
        } finally {
            port[0].close();
            server.kill();
            server.join();
        }
    }

    @Test
    void aServerInThisJvmServesForeverUntilClosed() throws Exception {
        ConcurrentMap<String, Integer> local = new ConcurrentHashMap<>();
        ManagerServer server = Manager.server(new InetSocketAddress("127.0.0.1", 0), KEY).register("m", () -> local);
        Thread serving = Thread.ofPlatform().start(() -> {
            try {
                server.serveForever();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.address() instanceof InetSocketAddress a && a.getPort() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        try (RemoteManager client = Manager.connect(server.address(), KEY)) {
            @SuppressWarnings("unchecked")
            ConcurrentMap<String, Integer> m = client.get("m", ConcurrentMap.class);
            m.put("x", 1);
            assertEquals(1, local.get("x"));
            server.close();
            serving.join(Duration.ofSeconds(30));
            assertTrue(!serving.isAlive());
            assertThrows(ManagerUnavailableException.class, () -> m.get("x"));
        }
    }

    /** A registrant's queue that counts the {@code take} calls running in it. */
    static final class CountingQueue extends LinkedBlockingQueue<String> {
        final java.util.concurrent.atomic.AtomicInteger taking = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public String take() throws InterruptedException {
            taking.incrementAndGet();
            try {
                return super.take();
            } finally {
                taking.decrementAndGet();
            }
        }
    }

    private static void awaitTakes(CountingQueue jobs, int n) throws InterruptedException {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (jobs.taking.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(n, jobs.taking.get(), "takes waiting in the registrant's queue");
    }

    @Test
    void closingAServerEndsCallsInProgressSoNoneTakesALaterItem() throws Exception {
        CountingQueue jobs = new CountingQueue();
        ManagerServer server = Manager.server(new InetSocketAddress("127.0.0.1", 0), KEY)
                .register("jobs", BlockingQueue.class, () -> jobs).start();
        SocketAddress address = server.address();
        try (Queue<String> outcome = new Queue<>()) {
            Process client = new Process(() -> {
                try (RemoteManager remote = Manager.connect(address, KEY)) {
                    @SuppressWarnings("unchecked")
                    BlockingQueue<String> q = remote.get("jobs", BlockingQueue.class);
                    String result;
                    try {
                        result = "took " + q.take();
                    } catch (ManagerUnavailableException e) {
                        result = "unavailable";
                    } catch (InterruptedException e) {
                        result = e.toString();
                    }
                    outcome.put(result);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            client.start();
            awaitTakes(jobs, 1);
            server.close();
            // NOTE: before, the server's thread stayed in take() after close and swallowed the next item
            assertEquals(0, jobs.taking.get(), "a call still waits in the registrant's queue after close()");
            jobs.add("after-close");
            assertEquals("after-close", jobs.poll());
            assertEquals("unavailable", outcome.get(HANG));
            client.join(HANG);
            assertEquals(0, client.exitCode());
        } finally {
            server.close();
        }
    }

    @Test
    void closingAServerFailsACallInProgressThroughAProxyInItsOwnJvm() throws Exception {
        CountingQueue jobs = new CountingQueue();
        ManagerServer server = Manager.server(new InetSocketAddress("127.0.0.1", 0), KEY)
                .register("jobs", BlockingQueue.class, () -> jobs).start();
        try (RemoteManager here = Manager.connect(server.address(), KEY)) {
            @SuppressWarnings("unchecked")
            BlockingQueue<String> q = here.get("jobs", BlockingQueue.class);
            java.util.concurrent.CompletableFuture<Object> taken = new java.util.concurrent.CompletableFuture<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    taken.complete(q.take());
                } catch (Throwable t) {
                    taken.complete(t);
                }
                taken.obtrudeValue(List.of(taken.join(), Thread.currentThread().isInterrupted()));
            });
            awaitTakes(jobs, 1);
            server.close();
            caller.join(HANG);
            // NOTE: before, the call went on waiting in the registrant's queue (no reply to cut: it runs here)
            assertTrue(!caller.isAlive(), "the call in progress still waits after close()");
            List<?> result = (List<?>) taken.join();
            assertTrue(result.get(0) instanceof ManagerUnavailableException, String.valueOf(result.get(0)));
            assertEquals(false, result.get(1), "close's interrupt is not left on the caller's thread");
            assertEquals(0, jobs.taking.get());
            jobs.add("after-close");
            assertEquals("after-close", jobs.poll());
        } finally {
            server.close();
        }
    }

    @Test
    void aQueueOfThisLibraryRegisteredByNameIsServedToGetWithQueueClass() throws Exception {
        // NOTE: API.md's remote-manager lines: register("jobs", () -> jobs), then client.get("jobs", Queue.class);
        // with jobs this library's Queue, get refused it ("does not implement BlockingQueue"): Queue is a class
        try (Queue<String> jobs = new Queue<>();
             ManagerServer server = Manager.server(new InetSocketAddress("127.0.0.1", 0), KEY).register("jobs", () -> jobs).start()) {
            SocketAddress address = server.address();
            jobs.put("to the client");
            Process client = new Process("remote-queue-client", () -> {
                try (RemoteManager remote = Manager.connect(address, KEY)) {
                    @SuppressWarnings("unchecked")
                    Queue<String> q = remote.get("jobs", Queue.class);
                    if (!"to the client".equals(q.get(HANG))) {
                        System.exit(3);
                    }
                    q.put("from the client");
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            client.start();
            assertEquals(0, joined(client));
            client.close();
            assertEquals("from the client", jobs.get(HANG));
            try (RemoteManager here = Manager.connect(address, KEY)) {
                @SuppressWarnings("unchecked")
                BlockingQueue<String> view = here.get("jobs", BlockingQueue.class);
                jobs.put("again");
                assertEquals("again", view.poll(HANG.toMillis(), TimeUnit.MILLISECONDS));
            }
        }
    }
}
