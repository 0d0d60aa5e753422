package dev.keymeter.envoy;

import static dev.keymeter.envoy.KubernetesManifests.at;
import static dev.keymeter.envoy.KubernetesManifests.container;
import static dev.keymeter.envoy.KubernetesManifests.containers;
import static dev.keymeter.envoy.KubernetesManifests.env;
import static dev.keymeter.envoy.KubernetesManifests.list;
import static dev.keymeter.envoy.KubernetesManifests.map;
import static dev.keymeter.envoy.KubernetesManifests.podSpec;
import static dev.keymeter.envoy.KubernetesManifests.port;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.server.Main;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Kubernetes kit (kubernetes/*.yaml) against what it deploys: every flag and KEYMETER_ variable
 * the real {@code keymeter} command knows (its picocli spec, in-process), ports and paths as
 * envoy.yaml has them, probes on the metrics port's /readyz and /healthz, and every Secret, key and
 * volume it references defined.
 */
class KubernetesKitTest {

    /** Read by the launcher (bin/keymeter), not by a command. */
    private static final Set<String> LAUNCHER_VARIABLES = Set.of("KEYMETER_JAVA_OPTS", "KEYMETER_CLASSPATH");

    private final KubernetesManifests kit = new KubernetesManifests();

    @Test
    void manifests_everyDocument_namedWithApiVersionAndKind() {
        assertTrue(kit.documents.size() >= 6, "secrets, two deployments, two services: " + kit.documents.size());
        for (Map<String, Object> d : kit.documents) {
            assertNotNull(d.get("apiVersion"), () -> d.get("__file") + ": no apiVersion");
            assertNotNull(d.get("kind"), () -> d.get("__file") + ": no kind");
            assertNotNull(at(d, "metadata", "name"), () -> d.get("__file") + ": no metadata.name");
        }
    }

    @Test
    void keymeterContainers_argsAndVariables_knownToTheCommand() {
        for (Map<String, Object> deployment : kit.ofKind("Deployment")) {
            for (Map<String, Object> c : containers(podSpec(deployment))) {
                if (!String.valueOf(c.get("image")).startsWith("keymeter:") || c.get("command") != null) {
                    continue; // the init container runs sh, not keymeter
                }
                List<String> args = strings(c.get("args"));
                CommandLine command = Main.commandLine().getSubcommands().get(args.get(0));
                assertNotNull(command, "keymeter has no command " + args.get(0));
                for (String arg : args.subList(1, args.size())) {
                    String flag = arg.split("=", 2)[0];
                    assertNotNull(command.getCommandSpec().findOption(flag), "keymeter " + args.get(0) + " has no " + flag);
                }
                String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
                for (String variable : env(c).keySet()) {
                    assertTrue(LAUNCHER_VARIABLES.contains(variable) || help.contains(variable),
                            () -> "keymeter " + args.get(0) + " --help names no " + variable);
                }
            }
        }
    }

    @Test
    void gateway_sidecar_servesEnvoysClusterOnLoopback() throws Exception {
        Bootstrap envoy = EnvoyConfigs.load("envoy.yaml");
        Map<String, Object> pod = podSpec(kit.get("Deployment", "keymeter-gateway"));
        Map<String, String> sidecar = env(container(pod, "keymeter"));
        assertEquals(EnvoyConfigs.endpoint(EnvoyConfigs.cluster(envoy, "keymeter_authz")),
                sidecar.get("KEYMETER_AUTHZ_LISTEN"), "ext_authz and the access log over loopback");
        assertEquals("sidecar", strings(container(pod, "keymeter").get("args")).get(0));

        Map<String, Object> proxy = container(pod, "envoy");
        int listener = envoy.getStaticResources().getListeners(0).getAddress().getSocketAddress().getPortValue();
        assertEquals(List.of(listener), containerPorts(proxy));
        assertEquals(listener, at(list(at(kit.get("Service", "keymeter-gateway"), "spec", "ports")).get(0),
                "targetPort"));
        List<String> args = strings(proxy.get("args"));
        String config = args.get(args.indexOf("-c") + 1);
        assertTrue(mountPaths(proxy).contains(config.substring(0, config.lastIndexOf('/'))),
                "envoy's -c " + config + " is on a mounted volume");
        String substitute = String.join(" ", strings(container(pod, "envoy-config").get("command")));
        assertTrue(substitute.contains("> " + config) && EnvoyConfigs.read("envoy.yaml").contains(
                "${KEYMETER_INGEST_TOKEN}"), "the init container writes envoy's config with the ingest token");
    }

    @Test
    void processes_probes_readyzAndHealthzOnTheMetricsPort() {
        for (String name : List.of("keymeter-gateway", "keymeter-control-plane")) {
            Map<String, Object> c = container(podSpec(kit.get("Deployment", name)), "keymeter");
            int metrics = port(env(c).get("KEYMETER_METRICS_LISTEN"));
            assertEquals("/readyz", at(c, "readinessProbe", "httpGet", "path"), name);
            assertEquals(metrics, at(c, "readinessProbe", "httpGet", "port"), name);
            assertEquals("/healthz", at(c, "livenessProbe", "httpGet", "path"), name);
            assertEquals(metrics, at(c, "livenessProbe", "httpGet", "port"), name);
            assertTrue(containerPorts(c).contains(metrics), name);
            assertEquals(Boolean.TRUE, at(podSpec(kit.get("Deployment", name)), "securityContext", "runAsNonRoot"));
        }
    }

    @Test
    void controlPlane_service_isWhatSidecarsFollow() {
        Map<String, Object> cp = container(podSpec(kit.get("Deployment", "keymeter-control-plane")), "keymeter");
        assertEquals("control-plane", strings(cp.get("args")).get(0));
        Map<String, Object> service = kit.get("Service", "keymeter-control-plane");
        Map<String, Object> servicePort = list(at(service, "spec", "ports")).get(0);
        assertEquals(port(env(cp).get("KEYMETER_ADMIN_LISTEN")), servicePort.get("targetPort"));
        assertEquals(at(kit.get("Deployment", "keymeter-control-plane"), "spec", "selector", "matchLabels"),
                at(service, "spec", "selector"));
        Map<String, Object> sidecar = container(podSpec(kit.get("Deployment", "keymeter-gateway")), "keymeter");
        assertEquals("keymeter-control-plane:" + servicePort.get("port"), env(sidecar).get("KEYMETER_CONTROL_PLANE"));
    }

    @Test
    void secretsAndVolumes_everyReference_defined() {
        Map<String, Set<String>> secrets = kit.ofKind("Secret").stream().collect(Collectors.toMap(
                s -> (String) at(s, "metadata", "name"), s -> map(s.get("stringData")).keySet()));
        for (Map<String, Object> deployment : kit.ofKind("Deployment")) {
            Map<String, Object> pod = podSpec(deployment);
            Set<String> volumes = list(pod.get("volumes")).stream().map(v -> (String) v.get("name"))
                    .collect(Collectors.toSet());
            for (Map<String, Object> v : list(pod.get("volumes"))) {
                Object secret = at(v, "secret", "secretName");
                if (secret != null) {
                    assertTrue(secrets.containsKey(secret), "no Secret " + secret);
                    for (Map<String, Object> item : list(at(v, "secret", "items"))) {
                        assertTrue(secrets.get(secret).contains(item.get("key")), secret + " has no " + item.get("key"));
                    }
                }
            }
            for (Map<String, Object> c : containers(pod)) {
                for (Map<String, Object> mount : list(c.get("volumeMounts"))) {
                    assertTrue(volumes.contains(mount.get("name")), c.get("name") + " mounts unknown " + mount);
                }
                for (Map<String, Object> e : list(c.get("env"))) {
                    Object name = at(e, "valueFrom", "secretKeyRef", "name");
                    if (name != null) {
                        assertTrue(secrets.getOrDefault(name, Set.of()).contains(
                                at(e, "valueFrom", "secretKeyRef", "key")), "no Secret key for " + e);
                    }
                }
            }
        }
    }

    private static List<Integer> containerPorts(Map<String, Object> container) {
        return list(container.get("ports")).stream().map(p -> (Integer) p.get("containerPort")).toList();
    }

    private static Set<String> mountPaths(Map<String, Object> container) {
        return list(container.get("volumeMounts")).stream().map(m -> (String) m.get("mountPath"))
                .collect(Collectors.toSet());
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object node) {
        return ((List<Object>) node).stream().map(String::valueOf).toList();
    }
}
