package org.multiprocessing4j.hazelcast;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.multiprocessing4j.hazelcast.internal.ClusterConfigs;
import org.multiprocessing4j.hazelcast.internal.ClusterSession;
import org.multiprocessing4j.hazelcast.internal.Frames;
import org.multiprocessing4j.hazelcast.internal.WorkerHost;
import org.multiprocessing4j.hazelcast.internal.WorkerLog;

/**
 * A cluster member that runs pool workers: {@code java -jar multiprocessing4j-hazelcast-worker.jar
 * --cluster NAME --members host:port,... --authkey-file F --class-path app.jar} (the module's build makes
 * that jar: this module, the core and Hazelcast in one), or {@code java -cp app.jar:...
 * org.multiprocessing4j.hazelcast.WorkerMain ...}. It joins the cluster as a Hazelcast member (bound to
 * 127.0.0.1 unless {@code --bind} says otherwise) and runs until killed; {@code --help} prints the
 * options. The user's classes (tasks, their arguments and results) must reach it: on its class path, or
 * in the jars and directories of {@code --class-path}, which its pool workers load classes from (a
 * class found nowhere fails the task with an error naming it). Hazelcast logs through
 * {@code java.util.logging} at WARNING unless the system property {@code hazelcast.logging.type} says
 * otherwise.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    /**
     * Starts the member and serves until the JVM is killed; exits with status 2 on bad options.
     *
     * @param args the command line (see the class comment)
     */
    public static void main(String... args) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(WorkerOptions.USAGE);
            return;
        }
        WorkerOptions options;
        Frames frames;
        try {
            options = WorkerOptions.parse(args);
            frames = new Frames(WorkerOptions.readAuthkey(options.authkeyFile()));
        } catch (IllegalArgumentException e) {
            System.err.println("WorkerMain: " + e.getMessage());
            System.err.println(WorkerOptions.USAGE);
            System.exit(2);
            return;
        } catch (IOException e) {
            System.err.println("WorkerMain: cannot read the authkey file: " + e);
            System.exit(2);
            return;
        }
        if (System.getProperty("hazelcast.logging.type") == null) {
            System.setProperty("hazelcast.logging.type", "jdk");
            java.util.logging.Logger.getLogger("com.hazelcast").setLevel(java.util.logging.Level.WARNING);
        }
        if (!options.classPath().isEmpty()) {
            // Pool workers are started from this thread's descendants and decode with their context class loader.
            Thread.currentThread().setContextClassLoader(applicationLoader(options.classPath()));
        }
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(ClusterConfigs.member(options.cluster(), options.bind(), options.port(),
                options.members(), options.workers()));
        WorkerHost host = new WorkerHost(hz, frames);
        ClusterSession session = new ClusterSession(options.cluster(), hz, frames);
        session.register();
        ClusterData.installMember(new ClusterData(session, null));
        WorkerLog.info("member " + hz.getCluster().getLocalMember().getAddress() + " of cluster \"" + options.cluster() + "\" offers "
                + options.workers() + " pool worker(s); pid " + ProcessHandle.current().pid());
        Runtime.getRuntime().addShutdownHook(new Thread(host::close, "mp4j-worker-host-shutdown"));
        try {
            Thread.currentThread().join(); // serves until the JVM is ended
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A class loader over the user's jars and directories, then this JVM's class path. */
    private static ClassLoader applicationLoader(java.util.List<Path> entries) {
        URL[] urls = new URL[entries.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = entries.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("--class-path entry " + entries.get(i) + ": " + e.getMessage(), e);
            }
        }
        return new URLClassLoader("mp4j-application", urls, WorkerMain.class.getClassLoader());
    }
}
