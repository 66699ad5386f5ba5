package org.multiprocessing4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pool workers hook of a context: empty by default; only multiprocessing4j's transports are taken. */
class PoolWorkersTest {
    @Test
    void aContextHasNoPoolWorkersByDefault() {
        assertEquals(Optional.empty(), Context.builder().build().poolWorkers());
    }

    @Test
    void aForeignImplementationIsRefusedByThePoolBuilderNamingIt() {
        PoolWorkers fake = () -> "a fake cluster";
        Context context = Context.builder().poolWorkers(fake).build();
        assertEquals(Optional.of(fake), context.poolWorkers());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pool.builder().processes(1).context(context).build());
        assertTrue(e.getMessage().contains("not a multiprocessing4j transport"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProcessPoolExecutor.builder().maxWorkers(1).context(context).build());
    }

    @Test
    void nullIsRefused() {
        assertThrows(NullPointerException.class, () -> Context.builder().poolWorkers(null));
    }
}
