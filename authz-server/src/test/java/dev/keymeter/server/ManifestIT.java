package dev.keymeter.server;

import static java.util.Objects.requireNonNull;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar's manifest: how {@code java -jar keymeter.jar} starts, and the Chronicle flags it
 * carries. The parent pom keeps those flags twice (manifest form for the jar, command-line form in
 * {@code chronicle.jvm.flags} for the test JVMs) because Maven cannot derive one from the other;
 * this test is what keeps the two the same.
 */
class ManifestIT {

    private static Attributes manifest;
    private static Set<String> commandLineFlags;

    @BeforeAll
    static void readManifestAndFlags() throws IOException {
        try (JarFile jar = new JarFile(ChildJvm.jar().toFile())) {
            manifest = jar.getManifest().getMainAttributes();
        }
        String flags = requireNonNull(
                System.getProperty("chronicle.jvm.flags"), "chronicle.jvm.flags (set by failsafe)");
        commandLineFlags = new TreeSet<>(Arrays.asList(flags.trim().split("\\s+")));
    }

    @Test
    void manifest_mainClass_isMain() {
        assertEquals(Main.class.getName(), manifest.getValue("Main-Class"));
    }

    @Test
    void manifest_addOpens_matchesChronicleJvmFlags() {
        assertEquals(fromFlags("--add-opens="), words(manifest.getValue("Add-Opens")));
    }

    @Test
    void manifest_addExports_matchesChronicleJvmFlags() {
        assertEquals(fromFlags("--add-exports="), words(manifest.getValue("Add-Exports")));
    }

    @Test
    void manifest_enableNativeAccess_matchesChronicleJvmFlags() {
        assertTrue(commandLineFlags.contains("--enable-native-access=ALL-UNNAMED"));
        assertEquals("ALL-UNNAMED", manifest.getValue("Enable-Native-Access"));
    }

    @Test
    void manifest_classPath_namesNoChronicleAnalytics() {
        String classPath = manifest.getValue("Class-Path");
        assertFalse(classPath != null && classPath.contains("chronicle-analytics"), classPath);
    }

    /** {@code --add-opens=java.base/java.lang=ALL-UNNAMED} gives {@code java.base/java.lang}. */
    private static Set<String> fromFlags(String prefix) {
        Set<String> packages = new TreeSet<>();
        for (String flag : commandLineFlags) {
            if (flag.startsWith(prefix)) {
                assertTrue(flag.endsWith("=ALL-UNNAMED"), flag + ": the manifest form opens to ALL-UNNAMED only");
                packages.add(flag.substring(prefix.length(), flag.length() - "=ALL-UNNAMED".length()));
            }
        }
        assertFalse(packages.isEmpty(), "no " + prefix + " in chronicle.jvm.flags");
        return packages;
    }

    private static Set<String> words(String attribute) {
        requireNonNull(attribute, "manifest attribute");
        return new TreeSet<>(Arrays.asList(attribute.trim().split("\\s+")));
    }
}
