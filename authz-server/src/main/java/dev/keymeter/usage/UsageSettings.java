package dev.keymeter.usage;

import java.util.Locale;
import java.util.Objects;

/**
 * Where {@link AccessLogService} finds usage in an Envoy access-log entry. Immutable.
 *
 * <p><b>Response headers and trailers</b> (the plain Envoy setup, {@code envoy/envoy.yaml}): Envoy logs
 * the names listed in {@code additional_response_headers_to_log} / {@code
 * additional_response_trailers_to_log} in {@code response.response_headers} / {@code
 * response.response_trailers}, keyed by the lower-case name. Token counts are non-negative decimal
 * integers; the cost is a decimal amount of USD such as {@code 0.001234}.
 *
 * <p><b>Envoy AI Gateway</b> ({@code envoy/envoy-ai-gateway.yaml}): its external processor writes, at
 * the end of a successful response, dynamic metadata under the namespace {@code io.envoy.ai_gateway}
 * ({@code AIGatewayFilterMetadataNamespace} in envoyproxy/ai-gateway). The token keys are <em>not</em>
 * fixed by AI Gateway: each is the {@code metadataKey} the operator chose in the route's (or
 * GatewayConfig's) {@code llmRequestCosts}; {@code llm_input_token} / {@code llm_output_token} are the
 * names used throughout AI Gateway's API documentation and examples ({@code api/v1alpha1}
 * {@code LLMRequestCosts}, the usage-based rate-limiting guide), hence the defaults. The values are
 * protobuf numbers (AI Gateway writes {@code float64(uint32)}). The model key is fixed by AI Gateway:
 * {@code model_name_override}, the model actually sent upstream after any backend override
 * ({@code buildDynamicMetadata} in {@code internal/extproc/processor_impl.go}). Change these when
 * your {@code llmRequestCosts} uses other keys.
 *
 * @param inputTokensHeader        response header/trailer with input (prompt) tokens
 * @param outputTokensHeader       response header/trailer with output (completion) tokens
 * @param costUsdHeader            response header/trailer with the cost in decimal USD
 * @param aiGatewayNamespace       dynamic-metadata namespace AI Gateway writes usage to
 * @param aiGatewayInputTokensKey  key of the input-token count in that namespace
 * @param aiGatewayOutputTokensKey key of the output-token count in that namespace
 * @param aiGatewayModelKey        key of the model that served the request in that namespace
 */
public record UsageSettings(String inputTokensHeader, String outputTokensHeader, String costUsdHeader,
        String aiGatewayNamespace, String aiGatewayInputTokensKey, String aiGatewayOutputTokensKey,
        String aiGatewayModelKey) {

    public static final String DEFAULT_INPUT_TOKENS_HEADER = "x-usage-input-tokens";
    public static final String DEFAULT_OUTPUT_TOKENS_HEADER = "x-usage-output-tokens";
    public static final String DEFAULT_COST_USD_HEADER = "x-usage-cost-usd";
    /** envoyproxy/ai-gateway {@code AIGatewayFilterMetadataNamespace}. */
    public static final String DEFAULT_AI_GATEWAY_NAMESPACE = "io.envoy.ai_gateway";
    /** The {@code metadataKey} AI Gateway's docs use for {@code type: InputToken}; operator-chosen. */
    public static final String DEFAULT_AI_GATEWAY_INPUT_TOKENS_KEY = "llm_input_token";
    /** The {@code metadataKey} AI Gateway's docs use for {@code type: OutputToken}; operator-chosen. */
    public static final String DEFAULT_AI_GATEWAY_OUTPUT_TOKENS_KEY = "llm_output_token";
    /** Written by AI Gateway itself next to the costs: the model sent upstream. */
    public static final String DEFAULT_AI_GATEWAY_MODEL_KEY = "model_name_override";

    private static final UsageSettings DEFAULTS = new UsageSettings(DEFAULT_INPUT_TOKENS_HEADER,
            DEFAULT_OUTPUT_TOKENS_HEADER, DEFAULT_COST_USD_HEADER, DEFAULT_AI_GATEWAY_NAMESPACE,
            DEFAULT_AI_GATEWAY_INPUT_TOKENS_KEY, DEFAULT_AI_GATEWAY_OUTPUT_TOKENS_KEY,
            DEFAULT_AI_GATEWAY_MODEL_KEY);

    /** Header names are stored lower-case (as Envoy keys them in the log entry). None may be blank. */
    public UsageSettings {
        inputTokensHeader = headerName("inputTokensHeader", inputTokensHeader);
        outputTokensHeader = headerName("outputTokensHeader", outputTokensHeader);
        costUsdHeader = headerName("costUsdHeader", costUsdHeader);
        aiGatewayNamespace = required("aiGatewayNamespace", aiGatewayNamespace);
        aiGatewayInputTokensKey = required("aiGatewayInputTokensKey", aiGatewayInputTokensKey);
        aiGatewayOutputTokensKey = required("aiGatewayOutputTokensKey", aiGatewayOutputTokensKey);
        aiGatewayModelKey = required("aiGatewayModelKey", aiGatewayModelKey);
    }

    /** The names in {@code envoy/envoy.yaml} and AI Gateway's documented defaults. */
    public static UsageSettings defaults() {
        return DEFAULTS;
    }

    private static String headerName(String what, String name) {
        return required(what, name).toLowerCase(Locale.ROOT);
    }

    private static String required(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }
}
