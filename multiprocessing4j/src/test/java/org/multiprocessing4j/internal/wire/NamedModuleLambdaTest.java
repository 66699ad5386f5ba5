package org.multiprocessing4j.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lambdas declared in named modules (compiled here, loaded in their own layer): one whose package is not
 * open to us travels through the serializer, which JDK serialization can rebuild ({@code java.base} may
 * call {@code $deserializeLambda$}); one whose package is open takes the fast path. A fast-path message
 * for a lambda the receiver may not rebuild itself is rebuilt through JDK serialization.
 */
class NamedModuleLambdaTest {
    private static Path dir;
    private static ModuleLayer layer;

    private final ObjectCodec codec = new ObjectCodec(new JdkSerializer());

    @BeforeAll
    static void compileModules() throws IOException {
        dir = Files.createTempDirectory("mp4j-modules-");
        compile("m.closed", "module m.closed { exports m.closed; }");
        compile("m.open", "module m.open { exports m.open; opens m.open; }");
        Configuration cf = ModuleLayer.boot().configuration()
                .resolve(ModuleFinder.of(dir.resolve("m.closed"), dir.resolve("m.open")), ModuleFinder.of(), Set.of("m.closed", "m.open"));
        layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getSystemClassLoader());
    }

    @AfterAll
    static void deleteModules() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void a_lambda_of_a_package_not_opened_to_us_travels_through_the_serializer_and_arrives_working() throws Exception {
        Supplier<String> lambda = make("m.closed", "x");
        byte[] encoded = codec.encode(lambda, "a lambda");
        assertEquals(ObjectCodec.OBJECT, encoded[0]);
        assertEquals("x!", ((Supplier<?>) codec.decode(encoded, loader("m.closed"))).get());
    }

    @Test
    void a_lambda_of_an_opened_package_takes_the_fast_path() throws Exception {
        Supplier<String> lambda = make("m.open", "y");
        byte[] encoded = codec.encode(lambda, "a lambda");
        assertEquals(ObjectCodec.LAMBDA, encoded[0]);
        assertEquals("y!", ((Supplier<?>) codec.decode(encoded, loader("m.open"))).get());
    }

    @Test
    void a_fast_path_message_for_a_lambda_we_may_not_rebuild_ourselves_is_rebuilt_through_JDK_serialization() throws Exception {
        assertNotNull(make("m.closed", "warm")); // the class is loaded and its lambda linked
        String implMethod = java.util.Arrays.stream(loader("m.closed").loadClass("m.closed.Lambdas").getDeclaredMethods())
                .map(java.lang.reflect.Method::getName).filter(n -> n.startsWith("lambda$make$")).findFirst().orElseThrow();
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        shape.write(6); // REF_invokeStatic
        for (String s : List.of("m/closed/Lambdas", "java/util/function/Supplier", "get", "()Ljava/lang/Object;",
                "m/closed/Lambdas", implMethod, "(Ljava/lang/String;)Ljava/lang/String;", "()Ljava/lang/String;")) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            shape.write(utf8.length);
            shape.write(utf8.length >>> 8);
            shape.write(utf8);
        }
        byte[] shapeBytes = shape.toByteArray();
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.write(ObjectCodec.LAMBDA);
        message.write(new byte[] {(byte) shapeBytes.length, (byte) (shapeBytes.length >>> 8), 0, 0});
        message.write(shapeBytes);
        message.write(1); // one captured argument
        message.write(codec.encode("z", "the argument"));
        Object back = codec.decode(message.toByteArray(), loader("m.closed"));
        assertEquals("z!", ((Supplier<?>) back).get());
    }

    @SuppressWarnings("unchecked")
    private static Supplier<String> make(String module, String text) throws Exception {
        Class<?> lambdas = loader(module).loadClass(module + ".Lambdas");
        return (Supplier<String>) lambdas.getMethod("make", String.class).invoke(null, text);
    }

    private static ClassLoader loader(String module) {
        return layer.findLoader(module);
    }

    private static void compile(String module, String moduleInfo) throws IOException {
        Path src = dir.resolve("src-" + module);
        Path pkg = src.resolve(module.replace('.', '/'));
        Files.createDirectories(pkg);
        Files.writeString(src.resolve("module-info.java"), moduleInfo);
        Files.writeString(pkg.resolve("Lambdas.java"), """
                package %s;

                import java.io.Serializable;
                import java.util.function.Supplier;

                public final class Lambdas {
                    public static Supplier<String> make(String s) {
                        return (Supplier<String> & Serializable) () -> s + "!";
                    }
                }
                """.formatted(module));
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
        int rc = javac.run(System.out, System.err, "-d", dir.resolve(module).toString(),
                src.resolve("module-info.java").toString(), pkg.resolve("Lambdas.java").toString());
        assertEquals(0, rc, "javac of " + module);
    }
}
