package org.multiprocessing4j.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.multiprocessing4j.ChildProcessTestBase;
import org.multiprocessing4j.Connection;
import org.multiprocessing4j.Pipe;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.SerializableBiFunction;
import org.multiprocessing4j.SerializableCallable;
import org.multiprocessing4j.SerializableFunction;

/**
 * Tasks on the lambda and list fast paths, decoded and run in a real child JVM: the parent sends each task
 * through a pipe, the child calls it and sends the result back.
 */
class LambdaInChildJvmTest extends ChildProcessTestBase {

    @Test
    void fast_path_lambdas_sent_through_a_pipe_run_in_a_child_JVM_and_their_results_come_back() throws Exception {
        int i = 12;
        SerializableFunction<Integer, Integer> plusOne = x -> x + 1;
        List<Integer> chunk = new ArrayList<>();
        for (int k = 0; k < 125_000; k++) {
            chunk.add(k);
        }
        String prefix = "re";
        Part part = new Part("bolt", 3);
        SerializableBiFunction<Integer, Integer, Integer> add = Integer::sum;
        List<Map.Entry<Integer, Integer>> pairs = List.of(Map.entry(1, 2), Map.entry(3, 4));

        List<SerializableCallable<?>> tasks = List.of(
                () -> (long) i * i,
                () -> plusOne.apply(plusOne.apply(i)),
                () -> chunk.stream().mapToLong(Integer::longValue).sum(),
                () -> prefix.concat("sult"),
                () -> part.name() + part.count() * i,
                () -> pairs.stream().map(e -> add.apply(e.getKey(), e.getValue())).toList());
        List<Object> expected = List.of(144L, 14, 124_999L * 125_000 / 2, "result", "bolt36", List.of(3, 7));

        ObjectCodec codec = new ObjectCodec(new JdkSerializer());
        for (int t = 0; t < tasks.size(); t++) {
            byte expectedTag = t == 4 ? ObjectCodec.WITH_OBJECTS : ObjectCodec.LAMBDA; // a record rides in the tree
            assertEquals(expectedTag, codec.encode(tasks.get(t), "task " + t)[0], "task " + t);
        }

        try (Pipe pipe = Pipe.open()) {
            Connection child = pipe.right();
            Process worker = new Process(() -> serve(child));
            worker.start();
            Connection parent = pipe.left();
            for (int t = 0; t < tasks.size(); t++) {
                parent.send(tasks.get(t));
                assertEquals(expected.get(t), parent.recv(), "task " + t);
            }
            parent.send(null); // stop
            worker.join(HANG);
            assertEquals(0, worker.exitCode());
        }
    }

    /** The child: call each task received and send back its result, until {@code null}. */
    private static void serve(Connection connection) {
        try (connection) {
            for (Object task; (task = connection.recv()) != null; ) {
                connection.send(((SerializableCallable<?>) task).call());
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    record Part(String name, int count) implements Serializable {
    }
}
