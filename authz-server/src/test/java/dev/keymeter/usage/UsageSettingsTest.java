package dev.keymeter.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class UsageSettingsTest {

    @Test
    void defaults_matchTheEnvoyConfigAndAiGateway() {
        UsageSettings d = UsageSettings.defaults();
        assertEquals("x-usage-input-tokens", d.inputTokensHeader());
        assertEquals("x-usage-output-tokens", d.outputTokensHeader());
        assertEquals("x-usage-cost-usd", d.costUsdHeader());
        assertEquals("io.envoy.ai_gateway", d.aiGatewayNamespace());
        assertEquals("llm_input_token", d.aiGatewayInputTokensKey());
        assertEquals("llm_output_token", d.aiGatewayOutputTokensKey());
        assertEquals("model_name_override", d.aiGatewayModelKey());
    }

    @Test
    void headerNames_areLowerCased_andNothingMayBeBlank() {
        UsageSettings s = new UsageSettings("X-In", "X-OUT", "X-Cost", "NS", "In", "Out", "Model");
        assertEquals("x-in", s.inputTokensHeader());
        assertEquals("x-out", s.outputTokensHeader());
        assertEquals("x-cost", s.costUsdHeader());
        assertEquals("NS", s.aiGatewayNamespace(), "metadata names are case-sensitive and kept");
        assertThrows(IllegalArgumentException.class, () -> new UsageSettings(" ", "b", "c", "d", "e", "f", "g"));
        assertThrows(NullPointerException.class, () -> new UsageSettings("a", "b", "c", "d", "e", "f", null));
    }
}
