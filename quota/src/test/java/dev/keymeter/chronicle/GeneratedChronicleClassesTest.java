package dev.keymeter.chronicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Chronicle class compiled at build time (src/generated/java) instead of by javac at every
 * process start: it must be exactly what Chronicle's own generator writes today, and opening a map
 * must use it.
 */
class GeneratedChronicleClassesTest {

    private static final String NATIVE_CLASS = "VanillaGlobalMutableState$$Native";
    private static final Path SOURCE =
            Path.of("src/generated/java/net/openhft/chronicle/hash", NATIVE_CLASS + ".java");

    @TempDir Path dir;

    @Test
    void compiledSource_isWhatChroniclesGeneratorWritesToday() throws Exception {
        String committed = Files.readString(SOURCE, StandardCharsets.UTF_8);
        String generated = generateWithChronicle();
        String withoutHeader = committed.substring(committed.indexOf("package "));
        if (!withoutHeader.equals(generated)) {
            Path fresh = Path.of("target", NATIVE_CLASS + ".java");
            Files.writeString(fresh, generated, StandardCharsets.UTF_8);
            assertEquals(generated, withoutHeader, "Chronicle now generates a different " + NATIVE_CLASS
                    + " (a Chronicle upgrade?): replace everything after the header comment of " + SOURCE
                    + " with " + fresh.toAbsolutePath());
        }
    }

    @Test
    void openingAMap_usesTheClassCompiledAtBuildTime() throws IOException, ClassNotFoundException {
        MapLayout<byte[], Long> layout = new MapLayout<>("generated", byte[].class, Long.class, new byte[8], 0L, 100);
        try (PersistedMap<byte[], Long> map = ChronicleFiles.open(layout, dir.resolve("m.cmap"))) {
            map.map().put(new byte[8], 1L);
            assertEquals(1L, map.map().get(new byte[8]));
        }
        Class<?> header = Class.forName(VanillaGlobalMutableState.class.getName() + "$$Native");
        // A class Chronicle compiles at run time is defined from bytes in memory, without a code
        // source location; ours comes from this module's classes.
        CodeSource source = header.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        assertNotNull(location, NATIVE_CLASS + " was generated at run time, not loaded from the build");
        assertTrue(location.getPath().endsWith("quota/target/classes/"), NATIVE_CLASS + " came from " + location);
    }

    /** Chronicle Values' generator, as Chronicle Map calls it the first time it needs the class. */
    private static String generateWithChronicle() throws Exception {
        Class<?> valueModel = Class.forName("net.openhft.chronicle.values.ValueModel");
        Object model = valueModel.getMethod("acquire", Class.class).invoke(null, VanillaGlobalMutableState.class);
        Method generate = Class.forName("net.openhft.chronicle.values.Generators")
                .getDeclaredMethod("generateNativeClass", valueModel, String.class);
        generate.setAccessible(true);
        return (String) generate.invoke(null, model, NATIVE_CLASS);
    }
}
