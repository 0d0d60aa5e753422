package dev.keymeter.keys;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The catalog of resources a key's permissions name: the platform resources and the gateway
 * endpoints. The wire name (snake case) is what the admin API, the CLI and Envoy's per-route
 * {@code context_extensions} use.
 */
public enum Resource {
    AGENT_SCHEDULES(Group.PLATFORM),
    AGENTS(Group.PLATFORM),
    ANNOTATIONS(Group.PLATFORM),
    CHUNKING(Group.PLATFORM),
    DATASETS(Group.PLATFORM),
    DEPLOYMENTS(Group.PLATFORM),
    EVALUATORS(Group.PLATFORM),
    FEEDBACK(Group.PLATFORM),
    FILES(Group.PLATFORM),
    GUARDRAIL_RULES(Group.PLATFORM),
    HUMAN_EVALUATIONS(Group.PLATFORM),
    IDENTITIES(Group.PLATFORM),
    KNOWLEDGE_BASES(Group.PLATFORM),
    MEMORY_STORES(Group.PLATFORM),
    POLICIES(Group.PLATFORM),
    PROJECTS(Group.PLATFORM),
    PROMPTS(Group.PLATFORM),
    REPORTING(Group.PLATFORM),
    ROUTING_RULES(Group.PLATFORM),
    SKILLS(Group.PLATFORM),
    TOOLS(Group.PLATFORM),
    CHAT_COMPLETIONS(Group.GATEWAY),
    EMBEDDINGS(Group.GATEWAY),
    IMAGES(Group.GATEWAY),
    MODELS(Group.GATEWAY),
    MODERATIONS(Group.GATEWAY),
    OCR(Group.GATEWAY),
    RERANK(Group.GATEWAY),
    RESPONSES(Group.GATEWAY),
    SPEECH(Group.GATEWAY),
    TRANSCRIPTIONS(Group.GATEWAY);

    /** Platform API resources, or model-gateway endpoints. */
    public enum Group { PLATFORM, GATEWAY }

    private static final Map<String, Resource> BY_WIRE_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Resource::wireName, Function.identity()));

    private final Group group;
    private final String wireName;

    Resource(Group group) {
        this.group = group;
        this.wireName = name().toLowerCase(java.util.Locale.ROOT);
    }

    public Group group() {
        return group;
    }

    /** The name used on the wire, e.g. {@code chat_completions}. */
    public String wireName() {
        return wireName;
    }

    /** The resource with this wire name, if the catalog has one. */
    public static Optional<Resource> fromWireName(String name) {
        return Optional.ofNullable(BY_WIRE_NAME.get(name));
    }

    /** All wire names, comma-separated, for error messages. */
    public static String catalog() {
        return Arrays.stream(values()).map(Resource::wireName).collect(Collectors.joining(", "));
    }
}
