package org.multiprocessing4j.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.SimpleTimeZone;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/**
 * Where part of a graph goes by JDK serialization, an object reached through that part and through another
 * still arrives as one object (or the write fails saying why); and JDK values arrive whole, never as a
 * lossy Kryo rendering of them.
 */
class KryoIdentityAndJdkValuesTest {

    private final KryoSerializer codec = new KryoSerializer();

    @SuppressWarnings("unchecked")
    private <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
        byte[] bytes = codec.toBytes(value);
        return (T) codec.fromBytes(bytes, 0, bytes.length, getClass().getClassLoader());
    }

    public static final class Node implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        public int v;

        public Node(int v) {
            this.v = v;
        }
    }

    public record Holder(Node node, List<Node> view) implements Serializable {
    }

    public static final class Parent implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        public Object child;
    }

    /** Takes part in its own serialization, so it goes by JDK serialization. */
    public static final class Hooked implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        public Parent parent;

        @Serial
        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
        }
    }

    /** Not Serializable: Kryo writes it, JDK serialization cannot. */
    public static final class Plain {
        public Node node;
        public List<Node> view;
    }

    public static final class Money extends BigDecimal {
        @Serial
        private static final long serialVersionUID = 1L;
        public final String currency;

        public Money(String value, String currency) {
            super(value);
            this.currency = currency;
        }
    }

    public static final class NotedDate extends Date {
        @Serial
        private static final long serialVersionUID = 1L;
        public String note;

        public NotedDate() {
        }
    }

    @Test
    void an_object_in_a_jdk_serialized_wrapper_and_in_a_field_arrives_as_one() throws Exception {
        Node n = new Node(1);
        Holder copy = roundTrip(new Holder(n, Collections.unmodifiableList(new ArrayList<>(List.of(n)))));
        assertSame(copy.node(), copy.view().get(0));
    }

    @Test
    void a_cycle_through_a_class_with_its_own_writeObject_closes_on_the_same_object() throws Exception {
        Parent p = new Parent();
        Hooked h = new Hooked();
        h.parent = p;
        p.child = h;
        Parent copy = roundTrip(p);
        assertSame(copy, ((Hooked) copy.child).parent);
    }

    @Test
    void objects_shared_by_two_different_jdk_serialized_classes_arrive_as_one() throws Exception {
        Node n = new Node(2);
        List<Object> both = new ArrayList<>();
        both.add(List.of(n));
        both.add(Collections.unmodifiableList(new ArrayList<>(List.of(n))));
        List<Object> copy = roundTrip(both);
        assertSame(((List<?>) copy.get(0)).get(0), ((List<?>) copy.get(1)).get(0));
    }

    @Test
    void a_shared_object_in_a_graph_that_is_not_serializable_as_a_whole_fails_the_write_saying_why() {
        Plain plain = new Plain();
        plain.node = new Node(3);
        plain.view = Collections.unmodifiableList(new ArrayList<>(List.of(plain.node)));
        IOException e = assertThrows(IOException.class, () -> codec.toBytes(plain));
        assertTrue(e.getMessage().contains("reached both") && e.getMessage().contains(Node.class.getName()), e.getMessage());
    }

    @Test
    void jdk_values_that_kryos_own_serializers_would_alter_arrive_whole() throws Exception {
        Locale script = Locale.forLanguageTag("zh-Hant-TW");
        assertEquals(script, roundTrip(script));
        Locale extension = Locale.forLanguageTag("de-CH-u-nu-latn");
        assertEquals(extension, roundTrip(extension));
        ZonedDateTime overlap = ZonedDateTime.of(2020, 10, 25, 2, 30, 0, 0, ZoneId.of("Europe/Paris")).withLaterOffsetAtOverlap();
        ZonedDateTime overlapCopy = roundTrip(overlap);
        assertEquals(overlap, overlapCopy);
        assertEquals(overlap.toInstant(), overlapCopy.toInstant());
        TimeZone custom = new SimpleTimeZone(5 * 3_600_000 + 1_800_000, "MyZone");
        TimeZone customCopy = roundTrip(custom);
        assertEquals(custom.getRawOffset(), customCopy.getRawOffset());
        assertEquals("MyZone", customCopy.getID());
        Calendar japanese = Calendar.getInstance(Locale.forLanguageTag("ja-JP-u-ca-japanese"));
        assertEquals(japanese.getClass(), roundTrip(japanese).getClass());
        NotedDate noted = new NotedDate();
        noted.note = "kept";
        assertEquals("kept", roundTrip(noted).note);
    }

    @Test
    void a_subclass_of_a_jdk_value_class_is_read_back() throws Exception {
        Money m = new Money("1.50", "EUR");
        Money copy = roundTrip(m);
        assertEquals(0, copy.compareTo(m));
        assertEquals("EUR", copy.currency);
    }

    @Test
    void plain_jdk_values_still_take_kryos_own_path_and_arrive_equal() throws Exception {
        List<Object> values = List.of(new BigDecimal("2.50"), ZoneId.of("Europe/Paris"), new Date(42),
                java.time.LocalDateTime.of(2024, 2, 29, 12, 0), java.util.UUID.randomUUID(), java.util.EnumSet.of(java.time.DayOfWeek.MONDAY));
        assertEquals(values, roundTrip(new ArrayList<>(values)));
    }
}
