package org.multiprocessing4j.internal.launch;

import org.multiprocessing4j.ProcessError;

/**
 * What a child JVM can load: the classes on its parent's {@code java.class.path} and module path, through
 * the application class loader, and nothing a parent loaded another way (classes compiled in memory by
 * {@code java Hello.java} or JShell, Maven's class realms under {@code mvn exec:java}, application servers,
 * Spring Boot's nested jars). Checks that turn what would be a {@link ClassNotFoundException} in the child
 * into a clear error in the parent, and the message for one a child meets anyway. Thread-safe.
 */
public final class ChildClassPath {
    private static final String WHY = "a child JVM loads classes from its parent's class path (java.class.path and module"
            + " path) through the application class loader only: classes compiled in memory (java Hello.java, JShell) or"
            + " loaded by another class loader (mvn exec:java, application servers, Spring Boot's nested jars) cannot be"
            + " loaded there. Compile them into a directory or jar and run with java -cp or -jar, or exec:exec"
            + " (docs/faq.md)";
    /** Whether this library was loaded by the application class loader (or an ancestor): checked once. */
    private static final boolean LIBRARY_REACHABLE = reachable(ChildClassPath.class.getClassLoader());

    private ChildClassPath() {
    }

    /**
     * Throws unless objects of {@code type} can be loaded by a child JVM.
     *
     * @param what names the object, for the message (e.g. "the target of process 'Process-1'")
     * @throws IllegalArgumentException if {@code type} was loaded by a class loader a child does not have
     */
    public static void requireLoadable(Class<?> type, String what) {
        if (!reachable(type.getClassLoader())) {
            String name = type.isHidden() && type.getName().contains("$$Lambda")
                    ? "a lambda of " + type.getName().substring(0, type.getName().indexOf("$$Lambda")) : type.getName();
            throw new IllegalArgumentException(what + " is " + (type.isHidden() ? "" : "of class ") + name + ", loaded by "
                    + type.getClassLoader() + ", which a child JVM does not have: " + WHY);
        }
    }

    /**
     * Throws unless this library itself can be loaded by a child JVM (its {@code main} class is here).
     *
     * @throws ProcessError if the library was loaded by another class loader than the application's
     */
    public static void requireLibrary() {
        if (!LIBRARY_REACHABLE) {
            throw new ProcessError("cannot start a child JVM: multiprocessing4j was loaded by "
                    + ChildClassPath.class.getClassLoader() + ", not by the application class loader, so a child started with"
                    + " this JVM's class path (" + System.getProperty("java.class.path", "") + ") could not load it; " + WHY);
        }
    }

    /** The message for a class a child could not load while decoding {@code what}. */
    public static String cannotLoad(String what, ClassNotFoundException e) {
        return "cannot load " + what + " in the child JVM: class " + e.getMessage() + " is not on its class path; " + WHY;
    }

    private static boolean reachable(ClassLoader loader) {
        if (loader == null) {
            return true; // the boot class loader
        }
        for (ClassLoader l = ClassLoader.getSystemClassLoader(); l != null; l = l.getParent()) {
            if (l == loader) {
                return true;
            }
        }
        return false;
    }
}
