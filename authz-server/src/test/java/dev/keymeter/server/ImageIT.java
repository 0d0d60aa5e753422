package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The OCI image the {@code image} profile builds (target/keymeter-image.tar, {@code docker save}
 * layout): its configuration as a runtime reads it, against what the launcher and
 * {@code keymeter serve --help} say. Runs only under {@code -Pimage}, which builds the tarball.
 */
@EnabledIfSystemProperty(named = "keymeter.image", matches = ".+")
class ImageIT {

    private static final Pattern DEFAULT_PORT = Pattern.compile("default 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path work;

    @Test
    void image_config_entrypointLauncherNonRootPortsAndVolume() throws Exception {
        JsonObject config = unpack().getAsJsonObject("config");
        assertEquals(List.of("/opt/keymeter/bin/keymeter"), strings(config.getAsJsonArray("Entrypoint")));
        assertEquals(List.of("serve"), strings(config.getAsJsonArray("Cmd")));
        String user = config.get("User").getAsString();
        assertTrue(user.matches("\\d+:\\d+"), "numeric, for runAsNonRoot: " + user);
        assertNotEquals("0", user.split(":")[0], "not root");
        assertEquals(serveDefaultPorts().stream().map(p -> p + "/tcp").collect(Collectors.toCollection(TreeSet::new)),
                new TreeSet<>(config.getAsJsonObject("ExposedPorts").keySet()), "the ports serve listens on");
        assertEquals(Set.of("/data"), config.getAsJsonObject("Volumes").keySet());
        Map<String, String> env = strings(config.getAsJsonArray("Env")).stream()
                .map(e -> e.split("=", 2)).collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
        assertTrue(env.get("KEYMETER_DATA_DIR").startsWith("/data/"), "data inside the volume: " + env);
        for (int port : serveDefaultPorts()) {
            assertTrue(env.containsValue("0.0.0.0:" + port), "listens on the container's network: " + env);
        }
    }

    @Test
    void image_layers_launcherExecutableAndDataWritable() throws Exception {
        unpack();
        String listing = layerListing();
        assertTrue(Pattern.compile("(?m)^-rwxr-xr-x \\S+ +\\d+ .* opt/keymeter/bin/keymeter$").matcher(listing).find(),
                listing);
        assertTrue(Pattern.compile("(?m)^drwxrwxrwx \\S+ +\\d+ .* data/$").matcher(listing).find(), listing);
        assertTrue(listing.contains("app/classpath/keymeter-authz-server-" + System.getProperty("keymeter.version")
                + ".jar"), listing);
        assertTrue(listing.contains("opt/keymeter/config/envoy/envoy.yaml"), listing);
    }

    /** The ports {@code keymeter serve --help} names as its defaults (admin, ext_authz, metrics). */
    static Set<Integer> serveDefaultPorts() {
        CommandLine serve = Main.commandLine().getSubcommands().get("serve");
        Set<Integer> ports = new TreeSet<>();
        for (String flag : List.of("--admin-addr", "--authz-addr", "--metrics-addr")) {
            Matcher m = DEFAULT_PORT.matcher(String.join(" ", serve.getCommandSpec().findOption(flag).description()));
            assertTrue(m.find(), flag + " names no default port");
            ports.add(Integer.parseInt(m.group(1)));
        }
        return ports;
    }

    private JsonObject unpack() throws Exception {
        Path tar = Path.of(System.getProperty("keymeter.image"));
        assertTrue(Files.isRegularFile(tar), "no image tarball: " + tar);
        run("tar", "xf", tar.toString(), "-C", work.toString());
        JsonArray manifest = JsonParser.parseString(Files.readString(work.resolve("manifest.json"))).getAsJsonArray();
        String config = manifest.get(0).getAsJsonObject().get("Config").getAsString();
        return JsonParser.parseString(Files.readString(work.resolve(config))).getAsJsonObject();
    }

    private String layerListing() throws Exception {
        JsonArray manifest = JsonParser.parseString(Files.readString(work.resolve("manifest.json"))).getAsJsonArray();
        StringBuilder all = new StringBuilder();
        for (var layer : manifest.get(0).getAsJsonObject().getAsJsonArray("Layers")) {
            all.append(run("tar", "tzvf", work.resolve(layer.getAsString()).toString()));
        }
        return all.toString();
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command));
        return out;
    }

    private static List<String> strings(JsonArray array) {
        return array.asList().stream().map(e -> e.getAsString()).toList();
    }
}
