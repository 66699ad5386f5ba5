/**
 * The Kryo codec for multiprocessing4j. {@link org.multiprocessing4j.kryo.KryoSerializer} is the only
 * public type; the rest configures Kryo for it.
 */
package org.multiprocessing4j.kryo;
