package dev.keymeter.envoy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/** The Kubernetes kit's manifests (kubernetes/*.yaml), every document of every file, as YAML trees. */
final class KubernetesManifests {

    static final Path DIR = Path.of("kubernetes");

    final List<Map<String, Object>> documents = new ArrayList<>();

    @SuppressWarnings("unchecked")
    KubernetesManifests() {
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object doc : new Yaml().loadAll(Files.readString(file))) {
                    if (doc != null) {
                        Map<String, Object> tree = (Map<String, Object>) doc;
                        tree.put("__file", file.getFileName().toString());
                        documents.add(tree);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one document of {@code kind} named {@code name}. */
    Map<String, Object> get(String kind, String name) {
        return documents.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(at(d, "metadata", "name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + DIR));
    }

    List<Map<String, Object>> ofKind(String kind) {
        return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    /** The pod spec of a Deployment. */
    static Map<String, Object> podSpec(Map<String, Object> deployment) {
        return map(at(deployment, "spec", "template", "spec"));
    }

    /** The named container of a pod spec (init containers included). */
    static Map<String, Object> container(Map<String, Object> podSpec, String name) {
        return containers(podSpec).stream().filter(c -> name.equals(c.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    static List<Map<String, Object>> containers(Map<String, Object> podSpec) {
        List<Map<String, Object>> all = new ArrayList<>(list(podSpec.get("containers")));
        all.addAll(list(podSpec.get("initContainers")));
        return all;
    }

    /** A container's plain {@code env} values (those from Secrets and fields are absent). */
    static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (Map<String, Object> e : list(container.get("env"))) {
            env.put((String) e.get("name"), e.get("value") == null ? null : String.valueOf(e.get("value")));
        }
        return env;
    }

    static Object at(Object tree, String... path) {
        Object node = tree;
        for (String key : path) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = m.get(key);
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        return node == null ? Map.of() : (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object node) {
        return node == null ? List.of() : (List<Map<String, Object>>) node;
    }

    /** The port of a HOST:PORT value. */
    static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }
}
