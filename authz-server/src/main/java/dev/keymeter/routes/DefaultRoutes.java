package dev.keymeter.routes;

import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The route table used when none is configured.
 *
 * <ul>
 *   <li>Inference endpoints of OpenAI-compatible gateways need write, whatever the method (the
 *       upstream answers 405 for methods it lacks; asking for the stronger level is the safe side):
 *       {@code /v1/completions} (chat_completions), {@code /v1/embeddings}, {@code /v1/images/*},
 *       {@code /v1/moderations}, {@code /v1/rerank}, {@code /v1/audio/speech},
 *       {@code /v1/audio/transcriptions}, {@code /v1/ocr}.
 *   <li>Endpoints that also list or fetch: GET and HEAD read, other methods write —
 *       {@code /v1/chat/completions} (POST creates; GET lists stored completions), {@code /v1/models},
 *       {@code /v1/responses}, each with its {@code /*} sub-paths.
 *   <li>Every platform resource of the catalog, at {@code /v1/<wire name with dashes>} and below
 *       ({@code /v1/agent-schedules}, {@code /v1/knowledge-bases}, …): GET and HEAD read, other
 *       methods write.
 *   <li>{@code /v1/projects/{project}} and below: projects, GET and HEAD read, other methods write; the
 *       {@code {project}} segment must be a project key's own project (Check answers 403 otherwise).
 * </ul>
 */
final class DefaultRoutes {

    private DefaultRoutes() {
    }

    static List<RouteRule> rules() {
        List<RouteRule> rules = new ArrayList<>();
        writes(rules, "/v1/completions", Resource.CHAT_COMPLETIONS);
        writes(rules, "/v1/embeddings", Resource.EMBEDDINGS);
        writes(rules, "/v1/images/*", Resource.IMAGES);
        writes(rules, "/v1/moderations", Resource.MODERATIONS);
        writes(rules, "/v1/rerank", Resource.RERANK);
        writes(rules, "/v1/audio/speech", Resource.SPEECH);
        writes(rules, "/v1/audio/transcriptions", Resource.TRANSCRIPTIONS);
        writes(rules, "/v1/ocr", Resource.OCR);
        collection(rules, "/v1/chat/completions", Resource.CHAT_COMPLETIONS);
        collection(rules, "/v1/models", Resource.MODELS);
        collection(rules, "/v1/responses", Resource.RESPONSES);
        for (Resource r : Resource.values()) {
            if (r.group() == Resource.Group.PLATFORM) {
                collection(rules, "/v1/" + r.wireName().replace('_', '-').toLowerCase(Locale.ROOT), r);
            }
        }
        // One project and what is below it: a project key acts on its own project only.
        collection(rules, "/v1/projects/" + RouteRule.PROJECT_SEGMENT, Resource.PROJECTS);
        return List.copyOf(rules);
    }

    private static void writes(List<RouteRule> rules, String path, Resource resource) {
        rules.add(new RouteRule(RouteRule.ANY_METHOD, path, ResourceAccess.of(resource, AccessLevel.WRITE)));
    }

    /** {@code path} and {@code path/*}: GET and HEAD read, every other method writes. */
    private static void collection(List<RouteRule> rules, String path, Resource resource) {
        for (String p : List.of(path, path + "/*")) {
            rules.add(new RouteRule("GET", p, ResourceAccess.of(resource, AccessLevel.READ)));
            rules.add(new RouteRule("HEAD", p, ResourceAccess.of(resource, AccessLevel.READ)));
            rules.add(new RouteRule(RouteRule.ANY_METHOD, p, ResourceAccess.of(resource, AccessLevel.WRITE)));
        }
    }
}
