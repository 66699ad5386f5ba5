package org.multiprocessing4j.hazelcast;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The command line of {@link WorkerMain}, parsed and checked; bad input → an exception naming it. */
record WorkerOptions(String cluster, List<String> members, Path authkeyFile, String bind, int port, int workers, List<Path> classPath) {
    static final String USAGE = """
            usage: java -jar multiprocessing4j-hazelcast-worker.jar --authkey-file FILE --class-path app.jar [options]
               or: java -cp app.jar:multiprocessing4j-hazelcast-worker.jar org.multiprocessing4j.hazelcast.WorkerMain --authkey-file FILE [options]
              --class-path P:P...   jars or class directories holding your tasks' classes (with java -jar, the only way to give them)
              --cluster NAME        cluster name (default mp4j)
              --members H:P,...     addresses of the cluster's members, this one's included (default BIND:PORT)
              --authkey-file FILE   the shared secret (at least 16 bytes) that signs every task and answer
              --bind HOST           interface to bind and advertise (default 127.0.0.1)
              --port N              port of this member (default 5701)
              --workers N           pool worker threads this member offers (default: available processors)""";

    static WorkerOptions parse(String... args) {
        String cluster = "mp4j";
        String members = null;
        Path key = null;
        String bind = "127.0.0.1";
        int port = 5701;
        int workers = Runtime.getRuntime().availableProcessors();
        List<Path> classPath = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--cluster" -> cluster = value;
                case "--members" -> members = value;
                case "--authkey-file" -> key = Path.of(value);
                case "--bind" -> bind = value;
                case "--port" -> port = number(option, value, 1, 65535);
                case "--workers" -> workers = number(option, value, 1, 4096);
                case "--class-path" -> classPath.addAll(classPath(value));
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (key == null) {
            throw new IllegalArgumentException("--authkey-file is required");
        }
        if (bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("*")) {
            throw new IllegalArgumentException("--bind " + bind + ": give the one address the other machines reach this one at"
                    + " (a member binds and advertises a single interface)");
        }
        List<String> list = new ArrayList<>();
        for (String m : members == null ? new String[] {bind + ":" + port} : members.split(",")) {
            list.add(checkAddress(m.trim()));
        }
        return new WorkerOptions(cluster, List.copyOf(list), key, bind, port, workers, List.copyOf(classPath));
    }

    /** The entries of a {@code :}-separated class path, each an existing jar or directory. */
    private static List<Path> classPath(String value) {
        List<Path> entries = new ArrayList<>();
        for (String entry : value.split(java.io.File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = Path.of(entry.trim());
            if (!Files.isDirectory(path) && !Files.isRegularFile(path)) {
                throw new IllegalArgumentException("--class-path entry " + path + " is neither a jar nor a directory");
            }
            entries.add(path.toAbsolutePath());
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("--class-path \"" + value + "\" names no jar or directory");
        }
        return entries;
    }

    private static int number(String option, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a number in " + min + ".." + max + ", got \"" + value + "\"");
    }

    static String checkAddress(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("member address \"" + address + "\" is not host:port");
        }
        number("the port of member address " + address, address.substring(colon + 1), 1, 65535);
        return address;
    }

    /** The bytes of {@code file}, one trailing newline removed. */
    static byte[] readAuthkey(Path file) throws IOException {
        byte[] key = Files.readAllBytes(file);
        int n = key.length;
        if (n > 0 && key[n - 1] == '\n') {
            n--;
            if (n > 0 && key[n - 1] == '\r') {
                n--;
            }
        }
        return Arrays.copyOf(key, n);
    }
}
