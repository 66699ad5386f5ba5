/**
 * Observability: the names of the library's {@link java.lang.System.Logger}s ({@link Loggers}) and its
 * JDK Flight Recorder events ({@link ProcessStartEvent}, {@link ProcessExitEvent}, {@link PoolTaskEvent},
 * {@link PoolWorkerLostEvent}). The user-facing list is {@code docs/observability.md}.
 *
 * <p>Cost rule: with Flight Recorder off (or an event type disabled) nothing is allocated and no field is
 * computed on a hot path: every emitter asks its event type's {@code isEnabled()} (a constant the JIT folds
 * while no recording runs) before it builds an event. Log messages on a hot path are built only when their
 * level is loggable.
 */
package org.multiprocessing4j.internal.events;
