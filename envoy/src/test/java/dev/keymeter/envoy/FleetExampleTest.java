package dev.keymeter.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The multi-replica example ({@code examples/fleet.yaml}) wires what shared budgets need: several
 * replicas, each keymeter container a sidecar of the same Redis (from a Secret, never a literal), a
 * sidecar id that is the pod's name, and Envoy's configuration from the shipped {@code envoy.yaml}.
 */
class FleetExampleTest {

    @Test
    @SuppressWarnings("unchecked")
    void fleetExample_replicasShareOneBudgetsStoreWithPerPodIds() throws IOException {
        Map<String, Object> deployment = new Yaml().load(Files.readString(Path.of("examples", "fleet.yaml")));
        assertEquals("Deployment", deployment.get("kind"));
        Map<String, Object> spec = (Map<String, Object>) deployment.get("spec");
        assertTrue((Integer) spec.get("replicas") >= 2, "a fleet has several replicas");
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
        List<Map<String, Object>> containers = (List<Map<String, Object>>) pod.get("containers");
        Map<String, Object> keymeter = containers.stream().filter(c -> "keymeter".equals(c.get("name")))
                .findFirst().orElseThrow();
        assertEquals("sidecar", ((List<String>) keymeter.get("args")).get(0));

        List<Map<String, Object>> env = (List<Map<String, Object>>) keymeter.get("env");
        Map<String, Object> store = byName(env, "KEYMETER_BUDGETS_STORE");
        assertTrue(((Map<String, Object>) store.get("valueFrom")).containsKey("secretKeyRef"),
                "the Redis URI (with its password) comes from a Secret");
        Map<String, Object> id = byName(env, "KEYMETER_SIDECAR_ID");
        assertEquals("metadata.name", ((Map<String, Object>) ((Map<String, Object>) id.get("valueFrom"))
                .get("fieldRef")).get("fieldPath"));

        assertEquals("/etc/keymeter-ingest/token", byName(env, "KEYMETER_INGEST_TOKEN_FILE").get("value"),
                "the sidecar accepts the ingest token from the Secret");
        Map<String, Object> envoy = containers.stream().filter(c -> "envoy".equals(c.get("name")))
                .findFirst().orElseThrow();
        Map<String, Object> token = byName((List<Map<String, Object>>) envoy.get("env"), "KEYMETER_INGEST_TOKEN");
        assertEquals("keymeter-ingest", ((Map<String, Object>) ((Map<String, Object>) token.get("valueFrom"))
                .get("secretKeyRef")).get("name"), "Envoy sends the same token, from the same Secret");
        assertTrue(String.join(" ", (List<String>) envoy.get("args")).contains("${KEYMETER_INGEST_TOKEN}"),
                "substituted into the shipped envoy.yaml before Envoy starts");

        String text = Files.readString(Path.of("examples", "fleet.yaml"));
        assertTrue(text.contains("--from-file=envoy.yaml=envoy/envoy.yaml"), "Envoy runs the shipped configuration");
    }

    private static Map<String, Object> byName(List<Map<String, Object>> env, String name) {
        return env.stream().filter(e -> name.equals(e.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + env));
    }
}
