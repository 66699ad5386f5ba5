package org.multiprocessing4j.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Hashtable;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Stack;
import java.util.Vector;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/**
 * The JDK's public collections survive a round trip through {@link KryoSerializer}: same class, same
 * contents in the same order, and (where the class has one) the same capacity or defaults.
 */
class KryoJdkCollectionsTest {

    private final KryoSerializer codec = new KryoSerializer();

    /** Not Serializable: a container rebuilt by Kryo carries it, one sent by JDK serialization could not. */
    static final class Item {
        final String name;

        Item(String name) {
            this.name = name;
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
        byte[] bytes = codec.toBytes(value);
        T copy = (T) codec.fromBytes(bytes, 0, bytes.length, getClass().getClassLoader());
        assertNotSame(value, copy);
        assertSame(value.getClass(), copy.getClass(), "type kept");
        return copy;
    }

    /** Same class, same items in the same iteration order. */
    private void assertSameItems(Collection<?> sent) throws Exception {
        Collection<?> copy = roundTrip(sent);
        assertEquals(new ArrayList<>(sent), new ArrayList<>(copy), sent.getClass().getName());
    }

    private void assertSameEntries(Map<?, ?> sent) throws Exception {
        Map<?, ?> copy = roundTrip(sent);
        assertEquals(new ArrayList<>(sent.entrySet()), new ArrayList<>(copy.entrySet()), sent.getClass().getName());
    }

    @Test
    void listsAndDequesKeepTheirTypeAndOrder() throws Exception {
        List<Integer> items = List.of(3, 1, 2);
        assertSameItems(new LinkedList<>(items));
        assertSameItems(new ArrayDeque<>(items));
        assertSameItems(new Vector<>(items));
        Stack<Integer> stack = new Stack<>();
        stack.addAll(items);
        assertSameItems(stack);
        assertEquals(2, roundTrip(stack).peek());
        assertSameItems(new CopyOnWriteArrayList<>(items));
        assertSameItems(new ConcurrentLinkedQueue<>(items));
        assertSameItems(new LinkedHashSet<>(List.of("c", "a", "b")));
    }

    @Test
    void mapsKeepTheirTypeOrderAndEntries() throws Exception {
        LinkedHashMap<String, Integer> linked = new LinkedHashMap<>();
        linked.put("z", 1);
        linked.put("a", 2);
        linked.put("m", 3);
        assertSameEntries(linked);
        assertEquals(linked, roundTrip(new Hashtable<>(linked)));
        assertEquals(linked, roundTrip(new ConcurrentHashMap<>(linked)));
    }

    @Test
    void anIdentityHashMapKeepsEqualButDistinctKeysApart() throws Exception {
        IdentityHashMap<String, Integer> identity = new IdentityHashMap<>();
        identity.put(new String("k"), 1);
        identity.put(new String("k"), 2);
        IdentityHashMap<String, Integer> copy = roundTrip(identity);
        assertEquals(2, copy.size());
        assertEquals(List.of(1, 2), copy.values().stream().sorted().toList());
    }

    @Test
    void collectionsRebuiltByKryoCarryItemsThatAreNotSerializable() throws Exception {
        LinkedHashMap<String, Item> byName = new LinkedHashMap<>(Map.of("a", new Item("ada")));
        assertEquals("ada", roundTrip(byName).get("a").name);
        assertEquals("bob", roundTrip(new LinkedList<>(List.of(new Item("bob")))).getFirst().name);
        assertEquals("cy", roundTrip(new ConcurrentHashMap<>(Map.of(1, new Item("cy")))).get(1).name);
        assertEquals("di", roundTrip(new CopyOnWriteArrayList<>(List.of(new Item("di")))).get(0).name);
    }

    @Test
    void boundedBlockingQueuesKeepTheirCapacity() throws Exception {
        LinkedBlockingQueue<Integer> linked = new LinkedBlockingQueue<>(5);
        linked.addAll(List.of(1, 2));
        LinkedBlockingQueue<Integer> linkedCopy = roundTrip(linked);
        assertEquals(List.of(1, 2), new ArrayList<>(linkedCopy));
        assertEquals(3, linkedCopy.remainingCapacity());

        ArrayBlockingQueue<Integer> array = new ArrayBlockingQueue<>(4);
        array.addAll(List.of(7, 8, 9));
        ArrayBlockingQueue<Integer> arrayCopy = roundTrip(array);
        assertEquals(List.of(7, 8, 9), new ArrayList<>(arrayCopy));
        assertEquals(1, arrayCopy.remainingCapacity());
        arrayCopy.add(10);
        assertEquals(List.of(7, 8, 9, 10), new ArrayList<>(arrayCopy));
    }

    @Test
    void propertiesKeepTheirEntriesAndDefaults() throws Exception {
        Properties defaults = new Properties();
        defaults.setProperty("colour", "blue");
        Properties props = new Properties(defaults);
        props.setProperty("size", "9");
        Properties copy = roundTrip(props);
        assertEquals("9", copy.getProperty("size"));
        assertEquals("blue", copy.getProperty("colour"), "defaults kept");
        assertEquals(1, copy.size());
        copy.setProperty("more", "1");
        assertEquals("1", copy.getProperty("more"), "usable after decoding");
    }

    @Test
    void aDecodedCollectionIsUsable() throws Exception {
        ConcurrentHashMap<String, Integer> map = roundTrip(new ConcurrentHashMap<>(Map.of("a", 1)));
        map.merge("a", 5, Integer::sum);
        assertEquals(6, map.get("a"));
        CopyOnWriteArrayList<Integer> list = roundTrip(new CopyOnWriteArrayList<>(List.of(1)));
        list.add(2);
        assertEquals(List.of(1, 2), list);
        Hashtable<String, Integer> table = roundTrip(new Hashtable<>(Map.of("x", 1)));
        table.put("y", 2);
        assertInstanceOf(Hashtable.class, table);
        assertEquals(2, table.size());
    }
}
