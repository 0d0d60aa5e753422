package dev.keymeter.check;

import java.util.List;
import java.util.Map;

/**
 * What a request needs and what a key may do, written out plainly from the product rules and the
 * documented shipped route table (design §3; {@code RouteTable}'s and {@code DefaultRoutes}' javadoc),
 * sharing no code with the sidecar: the property test compares the real decision with this one.
 *
 * <p>Paths (docs/configuration.md, "Route table"): only the part before the {@code ?} counts. A path
 * holding a dot-segment ({@code .} or {@code ..}, each dot plain or {@code %2e} in either case), a
 * backslash, or an encoded slash or backslash ({@code %2F}, {@code %5C}, either case) is refused with
 * 400 whatever the key, before any route is looked at. Routes: an exact path beats the
 * {@code /v1/projects/{project}} rules, which beat every prefix ({@code /x/*} covers what starts with
 * {@code /x/}); the longest prefix wins. {@code {project}} is one non-empty segment; the rule covers the
 * project itself and everything below it. Inference endpoints need write whatever the method;
 * collections (and the project rules) need read for GET and HEAD and write for every other method
 * (methods compared case-sensitively). Keys: preset All writes everything, Read only reads everything,
 * Restricted has a level per resource (none when not named); write includes read. A project key acts
 * only on its own project when a {@code {project}} segment names one (403 otherwise); an admin key acts
 * on every project.
 */
final class ReferenceAuthorization {

    static final int NONE = 0;
    static final int READ = 1;
    static final int WRITE = 2;

    /** What a request needs: a resource (wire name), a level, and the project a {@code {project}} segment names (or null). */
    record Need(String resource, int level, String project) {

        Need(String resource, int level) {
            this(resource, level, null);
        }
    }

    /** The literal text before the {@code {project}} segment of the shipped project rules. */
    static final String PROJECT_RULE = "/v1/projects/";

    /** Inference endpoints: write, whatever the method. A trailing "/*" marks a prefix. */
    static final Map<String, String> WRITE_ENDPOINTS = Map.of(
            "/v1/completions", "chat_completions",
            "/v1/embeddings", "embeddings",
            "/v1/images/*", "images",
            "/v1/moderations", "moderations",
            "/v1/rerank", "rerank",
            "/v1/audio/speech", "speech",
            "/v1/audio/transcriptions", "transcriptions",
            "/v1/ocr", "ocr");

    /** Collections: the path and everything below it; GET and HEAD read, other methods write. */
    static final Map<String, String> COLLECTIONS = Map.ofEntries(
            Map.entry("/v1/chat/completions", "chat_completions"),
            Map.entry("/v1/models", "models"),
            Map.entry("/v1/responses", "responses"),
            Map.entry("/v1/agent-schedules", "agent_schedules"),
            Map.entry("/v1/agents", "agents"),
            Map.entry("/v1/annotations", "annotations"),
            Map.entry("/v1/chunking", "chunking"),
            Map.entry("/v1/datasets", "datasets"),
            Map.entry("/v1/deployments", "deployments"),
            Map.entry("/v1/evaluators", "evaluators"),
            Map.entry("/v1/feedback", "feedback"),
            Map.entry("/v1/files", "files"),
            Map.entry("/v1/guardrail-rules", "guardrail_rules"),
            Map.entry("/v1/human-evaluations", "human_evaluations"),
            Map.entry("/v1/identities", "identities"),
            Map.entry("/v1/knowledge-bases", "knowledge_bases"),
            Map.entry("/v1/memory-stores", "memory_stores"),
            Map.entry("/v1/policies", "policies"),
            Map.entry("/v1/projects", "projects"),
            Map.entry("/v1/prompts", "prompts"),
            Map.entry("/v1/reporting", "reporting"),
            Map.entry("/v1/routing-rules", "routing_rules"),
            Map.entry("/v1/skills", "skills"),
            Map.entry("/v1/tools", "tools"));

    static final List<String> RESOURCES = List.of("agent_schedules", "agents", "annotations", "chunking",
            "datasets", "deployments", "evaluators", "feedback", "files", "guardrail_rules", "human_evaluations",
            "identities", "knowledge_bases", "memory_stores", "policies", "projects", "prompts", "reporting",
            "routing_rules", "skills", "tools", "chat_completions", "embeddings", "images", "models",
            "moderations", "ocr", "rerank", "responses", "speech", "transcriptions");

    private ReferenceAuthorization() {
    }

    /** The path up to its query string. */
    static String pathOnly(String path) {
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    /** Whether Check refuses {@code path} with 400 before looking at any route. */
    static boolean invalidPath(String path) {
        String p = pathOnly(path).toLowerCase(java.util.Locale.ROOT);
        if (p.contains("\\") || p.contains("%2f") || p.contains("%5c") || p.contains("//")) {
            return true;
        }
        for (String segment : p.split("/", -1)) {
            String decoded = segment.replace("%2e", ".");
            if (decoded.equals(".") || decoded.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /** What {@code method path} needs by the shipped table, or null when the path is refused or nothing maps it. */
    static Need need(String method, String path) {
        if (invalidPath(path)) {
            return null;
        }
        String p = pathOnly(path);
        boolean reads = method.equals("GET") || method.equals("HEAD");
        String exactWrite = WRITE_ENDPOINTS.get(p);
        if (exactWrite != null) {
            return new Need(exactWrite, WRITE);
        }
        String exactCollection = COLLECTIONS.get(p);
        if (exactCollection != null) {
            return new Need(exactCollection, reads ? READ : WRITE);
        }
        String project = projectSegment(p);
        if (project != null) {
            return new Need("projects", reads ? READ : WRITE, project);
        }
        Need best = null;
        int bestLength = -1;
        for (var e : WRITE_ENDPOINTS.entrySet()) {
            String prefix = e.getKey().endsWith("/*") ? e.getKey().substring(0, e.getKey().length() - 1) : null;
            if (prefix != null && p.startsWith(prefix) && prefix.length() > bestLength) {
                best = new Need(e.getValue(), WRITE);
                bestLength = prefix.length();
            }
        }
        for (var e : COLLECTIONS.entrySet()) {
            String prefix = e.getKey() + "/";
            if (p.startsWith(prefix) && prefix.length() > bestLength) {
                best = new Need(e.getValue(), reads ? READ : WRITE);
                bestLength = prefix.length();
            }
        }
        return best;
    }

    /**
     * The project {@code /v1/projects/{project}} or {@code /v1/projects/{project}/…} names in {@code p}
     * (a path without query): the one non-empty segment after the rule's literal text; else null.
     */
    static String projectSegment(String p) {
        if (!p.startsWith(PROJECT_RULE)) {
            return null;
        }
        String rest = p.substring(PROJECT_RULE.length());
        int slash = rest.indexOf('/');
        String segment = slash < 0 ? rest : rest.substring(0, slash);
        return segment.isEmpty() ? null : segment;
    }

    /** A key's permissions: preset 0 All, 1 Read only, 2 Restricted with {@code levels} by wire name. */
    record Key(String id, boolean admin, String project, int preset, Map<String, Integer> levels) {

        int levelOf(String resource) {
            return switch (preset) {
                case 0 -> WRITE;
                case 1 -> READ;
                default -> levels.getOrDefault(resource, NONE);
            };
        }

        boolean may(Need need) {
            return need != null && levelOf(need.resource()) >= need.level() && inProject(need);
        }

        /** Whether the project the request names, if any, is one this key acts on. */
        boolean inProject(Need need) {
            return admin || need.project() == null || need.project().equals(project);
        }
    }
}
