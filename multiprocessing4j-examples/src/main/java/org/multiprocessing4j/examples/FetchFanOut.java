package org.multiprocessing4j.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.multiprocessing4j.Pool;
import org.multiprocessing4j.ResultIterator;

/**
 * A URL-fetch fan-out with {@link Pool#imapUnordered}: Python's
 * {@code for page in pool.imap_unordered(fetch, urls): ...}.
 *
 * <p>So that it runs anywhere without the network, the program first starts a small HTTP server of its own
 * on 127.0.0.1 (a free port), whose pages answer after different delays, like real sites. Worker JVMs fetch
 * the pages with {@link HttpClient}; the parent prints each result the moment it arrives, in completion
 * order rather than input order, so one slow page does not hold up the report of the fast ones. A page
 * that answers 404 is a result like any other: the worker reports the status instead of throwing.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... org.multiprocessing4j.examples.FetchFanOut [pages [workers]]
 * </pre>
 *
 * <p>Each worker keeps one {@code HttpClient} for all its fetches (see {@link Http}): state a worker builds
 * once, in the pool's initializer, and reuses, like a module-level global set by a Python initializer.
 *
 * <p>When to use processes for this: in Java, a fan-out that only waits on the network runs as well on
 * virtual threads in one JVM. Worker processes pay off when each page is followed by heavy CPU work
 * (parsing, scoring, image work), or when a fetch may wedge or crash its process (a native decoder, a
 * leaking library) and must not take the application down: add {@code taskTimeout} as in
 * {@link RunawayTask}.
 */
public final class FetchFanOut {
    /** The path of the page the server does not have. */
    static final String MISSING = "/missing";

    private FetchFanOut() {
    }

    /**
     * One fetch, as a worker reports it. {@code status} is -1 if the request failed (then {@code error} says
     * why). Serializable: it travels back from the worker.
     */
    record Fetched(String url, int status, int bytes, String firstLine, long millis, long workerPid, String error)
            implements Serializable {
    }

    /** All the fetches in the order they arrived, and how many requests the server answered. */
    record Report(List<Fetched> arrivals, int requestsServed) {
    }

    public static void main(String[] args) throws Exception {
        int pages = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        // Waiting on the network uses no CPU, so more workers than cores is fine for this job.
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        run(System.out, pages, workers);
    }

    /**
     * Starts the local server, fetches {@code pages} pages and one missing page with {@code processes}
     * workers, prints each as it arrives, stops the server and returns what arrived.
     */
    static Report run(PrintStream out, int pages, int processes) throws IOException, InterruptedException {
        AtomicInteger served = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(handlers);
        server.createContext("/", exchange -> serve(exchange, served));
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            List<String> urls = new ArrayList<>();
            for (int i = 0; i < pages; i++) {
                urls.add(base + "/page/" + i);
            }
            urls.add(base + MISSING);
            out.printf("Local server at %s; %d worker JVMs fetch %d URLs, results printed as they arrive:%n",
                    base, processes, urls.size());

            List<Fetched> arrivals = new ArrayList<>();
            long t0 = System.nanoTime();
            // The initializer runs once in each worker before its first task (Python's initializer=): here
            // it makes the worker's HttpClient, whose first use loads many classes, so the times printed
            // below are those of the fetches alone.
            try (Pool pool = Pool.builder().processes(processes).initializer(FetchFanOut::warmUp).build()) {
                // imapUnordered reads the URL list lazily (a few ahead of the consumer) and yields each
                // result as soon as any worker has it. Chunk size 1 (the default for imap): each URL is a
                // task of its own, so a slow page never holds a fast one back in the same chunk.
                ResultIterator<Fetched> results = pool.imapUnordered(FetchFanOut::fetch, urls);
                while (results.hasNext()) {
                    Fetched f = results.next();
                    arrivals.add(f);
                    out.printf("  #%-2d %-36s %s %,6d bytes %4d ms  worker %d  %s%n", arrivals.size(), f.url(),
                            f.status() < 0 ? "ERR" : String.valueOf(f.status()), f.bytes(), f.millis(), f.workerPid(),
                            f.error() != null ? f.error() : f.firstLine());
                }
            }
            out.printf("%d results (%d OK) in %.0f ms; the server answered %d requests%n", arrivals.size(),
                    arrivals.stream().filter(f -> f.status() == 200).count(), (System.nanoTime() - t0) / 1e6, served.get());
            return new Report(arrivals, served.get());
        } finally {
            server.stop(0);
            handlers.close();
        }
    }

    /**
     * Runs in a worker JVM: fetches {@code url} with this worker's client. A failed request comes back as
     * a result with status -1 rather than as an exception, so one bad URL does not interrupt the fan-out
     * (an exception thrown here would be thrown by the iterator's {@code next()} in the parent instead).
     */
    static Fetched fetch(String url) {
        long t0 = System.nanoTime();
        long pid = ProcessHandle.current().pid();
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build();
            HttpResponse<String> response = Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            return new Fetched(url, response.statusCode(), body.getBytes(StandardCharsets.UTF_8).length,
                    body.lines().findFirst().orElse(""), (System.nanoTime() - t0) / 1_000_000, pid, null);
        } catch (IOException e) {
            return new Fetched(url, -1, 0, "", (System.nanoTime() - t0) / 1_000_000, pid, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Fetched(url, -1, 0, "", (System.nanoTime() - t0) / 1_000_000, pid, "interrupted");
        }
    }

    /** Runs once in each worker: makes its client before the first fetch. */
    private static void warmUp() {
        Http.CLIENT.version();
    }

    /** One {@link HttpClient} per worker JVM, made on first use (the holder class loads lazily). */
    private static final class Http {
        static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The size in bytes of page {@code i}'s body: pages differ, so the report shows which was which. */
    static int pageBytes(int i) {
        return 200 + (i * 397) % 3000;
    }

    /** The local server's handler: {@code /page/<i>} after a delay of 0 to 160 ms, anything else 404. */
    private static void serve(HttpExchange exchange, AtomicInteger served) throws IOException {
        try (exchange) {
            served.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            int status;
            if (path.matches("/page/\\d+")) {
                int i = Integer.parseInt(path.substring("/page/".length()));
                LockSupport.parkNanos(Duration.ofMillis((i * 7L) % 5 * 40).toNanos()); // a slow site or a fast one
                body = pageBody(i);
                status = 200;
            } else {
                body = ("no page at " + path + "\n").getBytes(StandardCharsets.UTF_8);
                status = 404;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
        }
    }

    private static byte[] pageBody(int i) {
        StringBuilder sb = new StringBuilder("page " + i + "\n");
        while (sb.length() < pageBytes(i)) {
            sb.append("lorem ipsum dolor sit amet ");
        }
        sb.setLength(pageBytes(i));
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
