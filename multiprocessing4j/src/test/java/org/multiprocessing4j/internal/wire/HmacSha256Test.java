package org.multiprocessing4j.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The hand-written HMAC-SHA256 of the handshake agrees with the JDK's and with RFC 4231. */
class HmacSha256Test {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void rfc_4231_test_cases_1_2_and_6() {
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                HEX.formatHex(HmacSha256.mac(HEX.parseHex("0b".repeat(20)), "Hi There".getBytes())));
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                HEX.formatHex(HmacSha256.mac("Jefe".getBytes(), "what do ya want ".getBytes(), "for nothing?".getBytes())));
        assertEquals("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                HEX.formatHex(HmacSha256.mac(HEX.parseHex("aa".repeat(131)),
                        "Test Using Larger Than Block-Size Key - Hash Key First".getBytes())));
    }

    @Test
    void agrees_with_the_jdk_on_random_keys_and_messages_of_every_length_around_the_block_size() throws Exception {
        Random random = new Random(42);
        for (int length = 0; length < 300; length++) {
            byte[] key = new byte[random.nextInt(100) + 1];
            byte[] message = new byte[length];
            random.nextBytes(key);
            random.nextBytes(message);
            Mac jdk = Mac.getInstance("HmacSHA256");
            jdk.init(new SecretKeySpec(key, "HmacSHA256"));
            assertArrayEquals(jdk.doFinal(message), HmacSha256.mac(key, message), "length " + length);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(message), HmacSha256.sha256(message), "sha " + length);
        }
    }
}
