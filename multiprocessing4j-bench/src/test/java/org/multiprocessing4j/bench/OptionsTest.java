package org.multiprocessing4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void warmupsAndSerializerDefaultToTheReadmesRuleAndTheLibrarysCodec() {
        Options o = Options.parse("--quick", "--only", "pool_map_trivial");
        assertEquals(Repeat.WARMUP, o.warmups());
        assertNull(o.serializer());
    }

    @Test
    void warmupsAndSerializerAreRead() {
        Options o = Options.parse("--warmups", "4", "--serializer", "org.multiprocessing4j.kryo.KryoSerializer");
        assertEquals(4, o.warmups());
        assertEquals("org.multiprocessing4j.kryo.KryoSerializer", o.serializer());
    }

    @Test
    void aWarmupCountBelowOneOrNotANumberIsRefusedNamingTheValue() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> Options.parse("--warmups", "0"));
        assertTrue(zero.getMessage().contains("--warmups") && zero.getMessage().contains("0"), zero.getMessage());
        IllegalArgumentException word = assertThrows(IllegalArgumentException.class, () -> Options.parse("--warmups", "many"));
        assertTrue(word.getMessage().contains("many"), word.getMessage());
    }
}
