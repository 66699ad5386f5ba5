package org.multiprocessing4j;

/**
 * An independent root JVM for {@link StartFailureCornersTest}, started with a runtime directory it cannot use:
 * tries a {@link Process} start and a {@link Manager} start and prints, for each, one line
 * {@code <what> <exception class> <message on one line>} (or {@code <what> started}), then exits.
 */
public final class StartFailureRootMain {
    private StartFailureRootMain() {
    }

    public static void main(String[] args) {
        try {
            Process p = new Process(() -> { });
            p.start();
            System.out.println("process started");
        } catch (RuntimeException e) {
            System.out.println("process " + e.getClass().getName() + " " + e.getMessage().replace('\n', ' '));
        }
        try (Manager manager = Manager.start()) {
            System.out.println("manager started");
        } catch (RuntimeException e) {
            System.out.println("manager " + e.getClass().getName() + " " + e.getMessage().replace('\n', ' '));
        }
        System.out.flush();
        Runtime.getRuntime().halt(0); // NOTE: nothing to join or sweep: no child could start
    }
}
