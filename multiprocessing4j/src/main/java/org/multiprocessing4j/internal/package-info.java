/**
 * The implementation of multiprocessing4j; nothing here is exported by {@code module-info.java}.
 * {@link org.multiprocessing4j.internal.Configuration} lists every setting the library reads.
 */
package org.multiprocessing4j.internal;
