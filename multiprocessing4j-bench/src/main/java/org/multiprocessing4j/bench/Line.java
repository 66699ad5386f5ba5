package org.multiprocessing4j.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One JSON line of either side, as an ordered field map: {@code workload}, {@code variant},
 * {@code value}, {@code unit}, then whatever the line carries ({@code min}, {@code max},
 * {@code reps}, {@code params}, {@code detail}, ...). Immutable.
 *
 * @param fields the fields in output order; copied
 */
public record Line(Map<String, Object> fields) {

    /** Copies {@code fields}, keeping its order. */
    public Line {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(fields, "fields")));
    }

    /** The {@code workload} field, or {@code ""} if absent. */
    public String workload() {
        return text("workload");
    }

    /** The {@code variant} field, or {@code ""} if absent. */
    public String variant() {
        return text("variant");
    }

    /** The {@code unit} field, or {@code ""} if absent or null. */
    public String unit() {
        return text("unit");
    }

    /** The raw {@code value} field: a number, a string (fault verdicts) or {@code null}. */
    public Object value() {
        return fields.get("value");
    }

    /** The {@code value} field if it is a number. */
    public OptionalDouble number() {
        return fields.get("value") instanceof Number n ? OptionalDouble.of(n.doubleValue()) : OptionalDouble.empty();
    }

    /** True for the bookkeeping lines {@code meta}, {@code meta_env} and {@code meta_end}. */
    public boolean isMeta() {
        return workload().startsWith("meta");
    }

    private String text(String key) {
        Object v = fields.get(key);
        return v == null ? "" : v.toString();
    }
}
