package org.multiprocessing4j.bench.workloads;

import static org.multiprocessing4j.bench.pool.PoolTasks.PAYLOAD_LEN;
import static org.multiprocessing4j.bench.pool.PoolTasks.check;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.bench.BenchContext;
import org.multiprocessing4j.bench.Repeat;
import org.multiprocessing4j.bench.Result;
import org.multiprocessing4j.bench.Workload;
import org.multiprocessing4j.bench.pool.ThreadPoolTwin;
import org.multiprocessing4j.bench.pool.Twins;

/**
 * {@code pool_map_payload} (MB/s) of {@code shared/bench/python/README.md}: {@code Pool(2).map(payloadLen,
 * [block] × K, 1)} with {@code block} = 1 MiB of bytes 0, 1, …, 255 repeated, K = 128 (32) tasks; the result
 * of each task is an int, whose sum is checked after the timed region. Value = K × 1,048,576 / 10^6 / time.
 * Measures argument serialisation and transfer to the workers. The pool (default context) is warmed with
 * 4 blocks, as CPython's is; warm-up repetition of full size. The {@code threads/map_1MiB_args} line runs the
 * same map on a {@link ThreadPoolTwin} of 2 threads, where nothing is copied (what isolation costs here is
 * the whole transfer). Run: {@code ./mvnw -q -Pbench -DskipTests package -Dbench.args="--cpython --only pool_map_payload"}.
 */
public final class PoolMapPayload implements Workload {
    private static final int PROCESSES = 2;
    private static final int BLOCK = 1 << 20;

    @Override
    public String name() {
        return "pool_map_payload";
    }

    @Override
    public Map<String, List<String>> comparesTo() {
        return Twins.comparedWithCPython("map_1MiB_args");
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        byte[] block = new byte[BLOCK];
        for (int i = 0; i < BLOCK; i++) {
            block[i] = (byte) i;
        }
        int count = ctx.size(128, 32);
        Map<String, Object> params = Result.params("tasks", count, "arg_bytes", BLOCK, "processes", PROCESSES,
                "chunksize", 1, "result", "int");
        try (Pool pool = new Pool(PROCESSES); ThreadPoolTwin threads = ThreadPoolTwin.started(PROCESSES)) {
            pool.map(PAYLOAD_LEN, Collections.nCopies(4, block), 1);
            threads.map(PAYLOAD_LEN, Collections.nCopies(4, block), 1);
            ctx.emit(Result.of(name(), "map_1MiB_args", Repeat.stats(count, k -> {
                List<byte[]> args = Collections.nCopies(k, block);
                long t0 = System.nanoTime();
                List<Integer> res = pool.map(PAYLOAD_LEN, args, 1);
                long t1 = System.nanoTime();
                checkSum(res, k);
                return (double) k * BLOCK / 1e6 / ((t1 - t0) / 1e9);
            }), "MB/s", Twins.params(params, false, Twins.inDefaultContext("org.multiprocessing4j.Pool(2)"))));
            ctx.emit(Result.of(name(), Twins.PREFIX + "map_1MiB_args", Repeat.stats(count, k -> {
                List<byte[]> args = Collections.nCopies(k, block);
                long t0 = System.nanoTime();
                List<Integer> res = threads.map(PAYLOAD_LEN, args, 1);
                long t1 = System.nanoTime();
                checkSum(res, k);
                return (double) k * BLOCK / 1e6 / ((t1 - t0) / 1e9);
            }), "MB/s", Twins.params(params, true, null)));
        }
    }

    private static void checkSum(List<Integer> res, int k) {
        long s = 0;
        for (Integer v : res) {
            s += v;
        }
        check("sum of payload lengths", (long) k * BLOCK, s);
    }
}
