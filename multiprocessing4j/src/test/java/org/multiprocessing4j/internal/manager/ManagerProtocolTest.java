package org.multiprocessing4j.internal.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.Client;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.internal.pipe.DefaultCodec;
import org.multiprocessing4j.internal.wire.ObjectCodec;
import org.multiprocessing4j.internal.wire.ThrowableCodec;

/** The manager's wire as a hand-written peer sees it: nothing outside the exposed interface is reachable. */
class ManagerProtocolTest {
    private static final byte[] KEY = "protocol-test".getBytes();
    private final ObjectCodec codec = DefaultCodec.get();

    private Object[] exchange(Connection c, Object[] frame) throws Exception {
        c.sendBytes(codec.encode(frame, "a test frame"));
        return (Object[]) codec.decode(c.recvBytes(), getClass().getClassLoader());
    }

    private Throwable error(Object[] reply) throws Exception {
        assertEquals(ManagerWire.ERROR, reply[0]);
        return new ThrowableCodec(codec).decode((byte[]) reply[1], getClass().getClassLoader());
    }

    @Test
    void callsOutsideTheInterfaceOrOnUnknownObjectsAreRefusedAndTheConnectionLives() throws Exception {
        List<String> target = new java.util.ArrayList<>(List.of("a"));
        Map<String, Map.Entry<Supplier<?>, Class<?>>> named = Map.of("l",
                new AbstractMap.SimpleImmutableEntry<>(() -> target, java.util.Collection.class));
        try (ManagerHost host = ManagerHost.start(new InetSocketAddress("127.0.0.1", 0), KEY, true, Map.of(), named, 1 << 20);
             Connection c = Client.connect(host.address(), KEY)) {
            c.sendBytes(codec.encode(new Object[] {ManagerWire.HELLO, 42L, null}, "hello"));
            Object[] got = exchange(c, new Object[] {ManagerWire.GET, "l", java.util.Collection.class.getName()});
            assertEquals(ManagerWire.OK, got[0]);
            long id = ((ProxyHandler) got[1]).handle().id();
            Throwable outside = error(exchange(c, new Object[] {ManagerWire.CALL, id, 999, new Object[0]}));
            assertInstanceOf(IllegalArgumentException.class, outside);
            assertTrue(outside.getMessage().contains("no method #999"), outside.getMessage());
            Throwable asList = error(exchange(c, new Object[] {ManagerWire.GET, "l", List.class.getName()}));
            assertTrue(asList.getMessage().contains("exposed as java.util.Collection"), asList.getMessage());
            assertInstanceOf(IllegalStateException.class, error(exchange(c, new Object[] {ManagerWire.CALL, 12345L, 0, new Object[0]})));
            c.sendBytes(new byte[] {99, 1, 2, 3});
            Throwable garbled = error((Object[]) codec.decode(c.recvBytes(), getClass().getClassLoader()));
            assertTrue(garbled.getMessage().startsWith("malformed manager request"), garbled.getMessage());
            int size = MethodTable.of(java.util.Collection.class).indexOf(java.util.Collection.class.getMethod("size"));
            assertEquals(ManagerWire.OK, exchange(c, new Object[] {ManagerWire.CALL, id, size, new Object[0]})[0]);
            assertEquals(ManagerWire.OK, exchange(c, new Object[] {ManagerWire.SHUTDOWN})[0]);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            boolean refused = false;
            while (!refused && System.nanoTime() < deadline) {
                try (Connection again = Client.connect(host.address(), KEY)) {
                    Thread.sleep(10);
                } catch (java.io.IOException e) {
                    refused = true; // a SHUTDOWN request closed the whole server
                }
            }
            assertTrue(refused);
        }
    }
}
