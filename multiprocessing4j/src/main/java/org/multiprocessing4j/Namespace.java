package org.multiprocessing4j;

import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A manager's namespace (Python's {@code Manager().Namespace()}): named attributes shared by every process
 * that holds the proxy. {@code ns.x = 1} becomes {@code ns.set("x", 1)}; {@code ns.x} becomes
 * {@code ns.get("x")}; {@code del ns.x} becomes {@code ns.delete("x")}.
 *
 * <p>Each call is one round trip to the manager and is atomic there. Values are copied (serialized) both
 * ways, except manager proxies, which stay proxies. Attribute values may be {@code null}. Thread-safe.
 * Every method throws {@link ManagerUnavailableException} when the manager is gone.
 */
public interface Namespace {

    /**
     * The value of attribute {@code name}.
     *
     * @throws NoSuchElementException if the namespace has no such attribute (Python's {@code AttributeError})
     * @throws NullPointerException if {@code name} is null (its message says so)
     * @param name the attribute's name
     * @return the value, possibly {@code null}
     */
    Object get(String name);

    /**
     * Sets attribute {@code name} to {@code value} (which may be {@code null}).
     *
     * @throws NullPointerException if {@code name} is null (its message says so)
     * @param name the attribute's name
     * @param value the value, which may be {@code null}
     */
    void set(String name, Object value);

    /**
     * Removes attribute {@code name}.
     *
     * @throws NoSuchElementException if the namespace has no such attribute
     * @throws NullPointerException if {@code name} is null (its message says so)
     * @param name the attribute's name
     */
    void delete(String name);

    /**
     * Whether the namespace has attribute {@code name}.
     *
     * @throws NullPointerException if {@code name} is null (its message says so)
     * @param name the attribute's name
     * @return true if it has
     */
    boolean contains(String name);

    /** {@return a copy of all attributes, in name order (Python's {@code vars(ns)}); {@code null} values included} */
    Map<String, Object> asMap();
}
