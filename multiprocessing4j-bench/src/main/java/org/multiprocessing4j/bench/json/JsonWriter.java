package org.multiprocessing4j.bench.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.Map;

/**
 * Serialises values the way CPython 3.11's {@code json.dumps(obj)} does with default arguments:
 * separators {@code ", "} and {@code ": "}, {@code ensure_ascii} escapes, floats in Python's
 * {@code repr} form ({@code 2.0}, {@code 1e-05}, {@code 1e+16}), {@code NaN} and {@code Infinity}.
 *
 * <p>Accepted values: {@code null}, {@link Boolean}, {@link String}, {@link Character}, integral
 * {@link Number}s ({@code Integer}, {@code Long}, {@code Short}, {@code Byte}, {@link BigInteger}),
 * {@code Double} / {@code Float}, {@link Map} (keys written with {@code toString()}, in the map's
 * iteration order), {@link Collection} and {@code Object[]}. Stateless and thread-safe.
 */
public final class JsonWriter {

    private JsonWriter() {
    }

    /**
     * Returns {@code value} as one line of JSON.
     *
     * @throws IllegalArgumentException if {@code value} contains a type listed as unsupported above
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder(128);
        append(sb, value);
        return sb.toString();
    }

    private static void append(StringBuilder sb, Object v) {
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b ? "true" : "false");
            case CharSequence s -> appendString(sb, s.toString());
            case Character c -> appendString(sb, c.toString());
            case Double d -> sb.append(pythonRepr(d));
            case Float f -> sb.append(pythonRepr(f.doubleValue()));
            case Integer _, Long _, Short _, Byte _, BigInteger _ -> sb.append(v);
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) sb.append(", ");
                    first = false;
                    appendString(sb, String.valueOf(e.getKey()));
                    sb.append(": ");
                    append(sb, e.getValue());
                }
                sb.append('}');
            }
            case Collection<?> c -> appendArray(sb, c.toArray());
            case Object[] a -> appendArray(sb, a);
            default -> throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON: " + v);
        }
    }

    private static void appendArray(StringBuilder sb, Object[] a) {
        sb.append('[');
        for (int i = 0; i < a.length; i++) {
            if (i > 0) sb.append(", ");
            append(sb, a[i]);
        }
        sb.append(']');
    }

    private static void appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) { // ensure_ascii: surrogate pairs come out as two escapes, as in Python
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /**
     * Python's {@code repr(float)}: the shortest decimal that reads back as {@code d}, in fixed
     * notation when the decimal exponent is in (-4, 16], otherwise as {@code d.ddde±XX}.
     */
    public static String pythonRepr(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == 0) return (Double.doubleToRawLongBits(d) < 0) ? "-0.0" : "0.0";
        // Double.toString gives the shortest round-tripping digits (JDK 19+), as Python's repr does.
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        if (bd.precision() == 2) { // Java prints 2 digits where 1 would do (4.9E-324); Python prints the 1 digit
            BigDecimal one = bd.round(new MathContext(1, RoundingMode.HALF_EVEN));
            if (one.doubleValue() == Math.abs(d)) bd = one.stripTrailingZeros();
        }
        String digits = bd.unscaledValue().toString();
        int decpt = digits.length() - bd.scale(); // |d| = 0.<digits> * 10^decpt
        String sign = d < 0 ? "-" : "";
        if (decpt > -4 && decpt <= 16) {
            if (decpt <= 0) return sign + "0." + "0".repeat(-decpt) + digits;
            if (decpt >= digits.length()) return sign + digits + "0".repeat(decpt - digits.length()) + ".0";
            return sign + digits.substring(0, decpt) + "." + digits.substring(decpt);
        }
        int exp = decpt - 1;
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        int abs = Math.abs(exp);
        return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (abs < 10 ? "0" : "") + abs;
    }
}
