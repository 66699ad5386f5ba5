package org.multiprocessing4j.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.multiprocessing4j.Manager;
import org.multiprocessing4j.ManagerServer;
import org.multiprocessing4j.Multiprocessing;
import org.multiprocessing4j.Process;
import org.multiprocessing4j.RemoteManager;

/**
 * A job server with a remote manager: Python's {@code BaseManager(address, authkey)} recipe with
 * {@code register('jobs', callable=lambda: jobs)}, workers that {@code connect()} and take jobs from the
 * server's queue until a sentinel, and put their results in the server's dict.
 *
 * <ol>
 *   <li>The parent makes an ordinary {@link LinkedBlockingQueue} of jobs and a {@link ConcurrentHashMap}
 *       of results, and serves them with a {@link ManagerServer} on {@code 127.0.0.1}, port 0 (any free
 *       port), with a random authkey. {@code register("jobs", BlockingQueue.class, ...)} lets clients use
 *       the queue only through {@code BlockingQueue}'s methods.</li>
 *   <li>Unlike Python's {@code BaseManager.start()}, which spawns a server process,
 *       {@link ManagerServer#start()} serves from threads of <em>this</em> JVM: the parent uses the queue
 *       and the map directly, as plain Java objects, while workers reach them over TCP.</li>
 *   <li>Each worker — a separate JVM — connects with {@link Manager#connect}, gets proxies with
 *       {@link RemoteManager#get(String, Class)} (an interface, since a proxy implements one), and loops:
 *       {@code take()} a job (the call blocks in the server until there is one), compute, {@code put} the
 *       result. It stops when it takes the {@link #STOP} sentinel; the parent puts one per worker.</li>
 *   <li>The parent joins the workers and checks every result.</li>
 * </ol>
 *
 * <p>The workers here are children of the parent only to keep the example one command; they use nothing
 * of the parent but the address and the key, so the same loop runs on another machine (then bind the
 * server to an address that machine can reach, and hand the key over out of band: anyone holding it is
 * trusted like a pickle peer).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... org.multiprocessing4j.examples.JobServer [jobs [workers]]
 * </pre>
 */
public final class JobServer {
    /** The sentinel job that tells a worker to stop. */
    static final String STOP = "STOP";

    private JobServer() {
    }

    /** A finished job: the number it factored, its largest prime factor, and the worker that computed it. */
    record Outcome(long n, long largestPrimeFactor, String worker) implements Serializable {
    }

    /** What the parent found in its results map, and each worker's exit code. */
    record Report(Map<String, Outcome> results, Map<String, Integer> exitCodes, int port) {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        run(System.out, jobs, workers);
    }

    /** Serves {@code jobs} jobs to {@code workers} worker JVMs; prints and returns what came back. */
    static Report run(PrintStream out, int jobs, int workers) throws IOException, InterruptedException {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        ConcurrentMap<String, Outcome> results = new ConcurrentHashMap<>();
        byte[] authkey = new byte[32];
        new SecureRandom().nextBytes(authkey);

        try (ManagerServer server = Manager.server(new InetSocketAddress("127.0.0.1", 0), authkey)
                .register("jobs", BlockingQueue.class, () -> queue)
                .register("results", ConcurrentMap.class, () -> results)
                .start()) {
            SocketAddress address = server.address(); // with port 0, the port the system chose
            out.printf("Job server on %s: %d jobs for %d worker JVMs%n", address, jobs, workers);
            for (int j = 0; j < jobs; j++) {
                queue.put("job-" + j); // the parent's own queue: no proxy, no round trip
            }

            List<Process> children = new ArrayList<>();
            for (int w = 1; w <= workers; w++) {
                // Only the address (an InetSocketAddress) and the key travel to the worker.
                children.add(new Process("worker-" + w, () -> work(address, authkey)));
            }
            children.forEach(Process::start);
            for (int w = 0; w < workers; w++) {
                queue.put(STOP); // after every job: a worker takes its sentinel only when the jobs are gone
            }

            Map<String, Integer> exitCodes = new TreeMap<>();
            for (Process p : children) {
                p.join();
                exitCodes.put(p.name(), p.exitCode());
                p.close();
            }

            Map<String, Outcome> collected = new TreeMap<>(results);
            Map<String, Integer> perWorker = new TreeMap<>();
            collected.values().forEach(o -> perWorker.merge(o.worker(), 1, Integer::sum));
            out.printf("%d results in the server's map; jobs per worker %s; exit codes %s%n",
                    collected.size(), perWorker, exitCodes);
            Outcome sample = collected.get("job-" + (jobs - 1));
            if (sample != null) {
                out.printf("e.g. job-%d: the largest prime factor of %,d is %,d (by %s)%n",
                        jobs - 1, sample.n(), sample.largestPrimeFactor(), sample.worker());
            }
            return new Report(collected, exitCodes, ((InetSocketAddress) address).getPort());
        }
    }

    /** A worker JVM: connects to the job server and works until it takes a {@link #STOP}. */
    private static void work(SocketAddress address, byte[] authkey) {
        String me = Multiprocessing.currentProcess().name();
        try (RemoteManager server = Manager.connect(address, authkey)) {
            @SuppressWarnings("unchecked")
            BlockingQueue<String> jobs = server.get("jobs", BlockingQueue.class);
            @SuppressWarnings("unchecked")
            ConcurrentMap<String, Outcome> results = server.get("results", ConcurrentMap.class);
            while (true) {
                String job = jobs.take(); // blocks in the server, on this connection only
                if (job.equals(STOP)) {
                    return;
                }
                long n = numberOf(job);
                results.put(job, new Outcome(n, largestPrimeFactor(n), me));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // a Runnable cannot throw it; ending the process is enough
        }
    }

    /** The number job {@code job-<j>} factors. */
    static long numberOf(String job) {
        long j = Long.parseLong(job.substring("job-".length()));
        return 1_000_000_000_000_000L + 1_000_003L * j * j + 37L * j; // about 10^15: milliseconds of trial division
    }

    /** Trial division: slow enough to be worth a worker, simple enough to check. */
    static long largestPrimeFactor(long n) {
        long largest = 1;
        for (long f = 2; f * f <= n; f++) {
            while (n % f == 0) {
                largest = f;
                n /= f;
            }
        }
        return n > 1 ? n : largest;
    }
}
