package org.multiprocessing4j.examples;

import java.io.PrintStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.multiprocessing4j.JoinableQueue;
import org.multiprocessing4j.Multiprocessing;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.Queue;

/**
 * Producers and consumers in separate JVMs around a {@link JoinableQueue}: Python's
 * {@code JoinableQueue} recipe with {@code task_done()}, {@code join()} and a sentinel per consumer.
 *
 * <ol>
 *   <li>Consumer processes loop: take a {@link Job}, work on it, put a {@link Done} on the results queue,
 *       and mark the job done with {@link JoinableQueue#taskDone()}.</li>
 *   <li>Producer processes put jobs; the job queue is bounded, so a producer that runs ahead of the
 *       consumers waits in {@code put} (back-pressure) instead of filling memory.</li>
 *   <li>The parent joins the producers, then {@link JoinableQueue#join()}s the job queue: it returns once
 *       every job put has been marked done, by whichever consumer took it.</li>
 *   <li>It puts one {@link #STOP} sentinel per consumer; each consumer ends when it takes one.</li>
 * </ol>
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... org.multiprocessing4j.examples.ProducerConsumer [jobsPerProducer]
 * </pre>
 *
 * <p>The queues are handles to shared memory: a lambda that captures one and is started as a
 * {@link Process} gives the child the same queue.
 */
public final class ProducerConsumer {
    /** The sentinel that tells a consumer to stop. Records compare by value, so a decoded copy equals it. */
    static final Job STOP = new Job(-1, -1, 0);

    private ProducerConsumer() {
    }

    /** A unit of work: find the Collatz stopping time of {@code n}. */
    record Job(int producer, int seq, long n) implements Serializable {
    }

    /** A finished job: its result and the consumer process that computed it. */
    record Done(Job job, int steps, String consumer) implements Serializable {
    }

    /** What the parent collected: every result and each child's exit code. */
    record Report(List<Done> results, Map<String, Integer> exitCodes) {
    }

    public static void main(String[] args) throws Exception {
        int jobsPerProducer = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        run(System.out, 2, 2, jobsPerProducer);
    }

    /**
     * Runs {@code producers} producers putting {@code jobsPerProducer} jobs each and {@code consumers}
     * consumers, prints a summary to {@code out} and returns the results.
     */
    static Report run(PrintStream out, int producers, int consumers, int jobsPerProducer) throws InterruptedException {
        // maxsize 8: at most eight jobs wait in the queue, so producers are paced by the consumers.
        try (JoinableQueue<Job> jobs = new JoinableQueue<>(8); Queue<Done> results = new Queue<>()) {
            List<Process> consumerProcesses = new ArrayList<>();
            for (int c = 1; c <= consumers; c++) {
                consumerProcesses.add(new Process("consumer-" + c, () -> consume(jobs, results)));
            }
            List<Process> producerProcesses = new ArrayList<>();
            for (int p = 1; p <= producers; p++) {
                int id = p; // a lambda captures effectively final locals; they travel with it to the child
                producerProcesses.add(new Process("producer-" + p, () -> produce(jobs, id, jobsPerProducer)));
            }
            consumerProcesses.forEach(Process::start);
            producerProcesses.forEach(Process::start);
            out.printf("%d producer and %d consumer processes started; %d jobs to do%n",
                    producers, consumers, producers * jobsPerProducer);

            for (Process p : producerProcesses) {
                p.join(); // every job is in the queue now (put copies it into shared memory before returning)
            }
            jobs.join(); // ... and every job has been taken and marked done by a consumer
            out.println("All jobs are done (JoinableQueue.join returned); sending one STOP per consumer");
            for (int c = 0; c < consumers; c++) {
                jobs.put(STOP);
            }
            for (Process c : consumerProcesses) {
                c.join();
            }

            // A consumer puts its result before it marks the job done, so after jobs.join() every result is
            // in the results queue. (They fit in its 1 MiB; for many or large results, drain the queue
            // while waiting, or a consumer blocked in put would never mark its job done.)
            List<Done> done = new ArrayList<>();
            for (int i = 0; i < producers * jobsPerProducer; i++) {
                done.add(results.get(Duration.ofSeconds(10)));
            }

            Map<String, Integer> exitCodes = new TreeMap<>();
            Map<String, Integer> perConsumer = new TreeMap<>();
            for (Process p : producerProcesses) {
                exitCodes.put(p.name(), p.exitCode());
                p.close();
            }
            for (Process c : consumerProcesses) {
                exitCodes.put(c.name(), c.exitCode());
                perConsumer.put(c.name(), 0);
                c.close();
            }
            done.forEach(d -> perConsumer.merge(d.consumer(), 1, Integer::sum));
            Done longest = done.stream().max((a, b) -> Integer.compare(a.steps(), b.steps())).orElseThrow();
            out.printf("%d results; jobs per consumer %s; exit codes %s%n", done.size(), perConsumer, exitCodes);
            out.printf("Longest: n = %,d takes %d Collatz steps to reach 1 (computed by %s)%n",
                    longest.job().n(), longest.steps(), longest.consumer());
            return new Report(done, exitCodes);
        }
    }

    /** A producer process: puts {@code count} jobs, waiting for room when the queue is full. */
    private static void produce(JoinableQueue<Job> jobs, int producer, int count) {
        try {
            for (int seq = 0; seq < count; seq++) {
                jobs.put(new Job(producer, seq, startOf(producer, seq)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // a Runnable cannot throw it; ending the process is enough
        }
    }

    /** A consumer process: works until it takes a {@link #STOP}; marks every item it takes as done. */
    private static void consume(JoinableQueue<Job> jobs, Queue<Done> results) {
        String me = Multiprocessing.currentProcess().name();
        try {
            while (true) {
                Job job = jobs.get();
                try {
                    if (job.equals(STOP)) {
                        return;
                    }
                    results.put(new Done(job, collatzSteps(job.n()), me));
                } finally {
                    jobs.taskDone(); // the sentinel too: every put is counted, so every get is marked
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The number {@code producer}'s job {@code seq} works on. */
    static long startOf(int producer, int seq) {
        return 1_000_000L * producer + 7919L * seq + 1;
    }

    /** Steps of {@code n -> n/2 or 3n+1} until 1: cheap, deterministic work whose answer is easy to check. */
    static int collatzSteps(long n) {
        int steps = 0;
        while (n != 1) {
            n = (n & 1) == 0 ? n / 2 : 3 * n + 1;
            steps++;
        }
        return steps;
    }
}
