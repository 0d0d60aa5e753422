package dev.keymeter.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Prices, model matching, rounding (never down) and the errors of the price file. */
class PriceTableTest {

    private static final String FILE = """
            {
              "models": {
                "gpt-4o":       {"input_usd_per_million": 2.50, "output_usd_per_million": 10.00},
                "gpt-4o-mini*": {"input_usd_per_million": 0.15, "output_usd_per_million": 0.60},
                "gpt-4o*":      {"input_usd_per_million": 5,    "output_usd_per_million": 15}
              }
            }""";

    @Test
    void pricesExactNamesThenTheLongestPrefixCaseInsensitively() {
        PriceTable t = PriceTableJson.parse(FILE);
        assertEquals(2_500 + 10_000, t.costMicroUsd("gpt-4o", 1_000, 1_000));
        assertEquals(2_500 + 10_000, t.costMicroUsd("GPT-4o", 1_000, 1_000));
        assertEquals(150 + 600, t.costMicroUsd("gpt-4o-mini-2024-07-18", 1_000, 1_000), "longest prefix wins");
        assertEquals(5_000 + 15_000, t.costMicroUsd("gpt-4o-2024-08-06", 1_000, 1_000));
        assertEquals(PriceTable.UNPRICED, t.costMicroUsd("claude-3", 1, 1), "refuse is the default policy");
        assertEquals(PriceTable.UNPRICED, t.costMicroUsd(null, 1, 1));
        assertNull(t.priceOf("gpt-3.5"));
    }

    @Test
    void roundsUpToWholeMicroUsdAndNeverOverflows() {
        PriceTable.Price p = PriceTable.Price.perMillion(new java.math.BigDecimal("0.15"), new java.math.BigDecimal("0.6"));
        assertEquals(1, p.costMicroUsd(1, 0), "0.15 micro-USD rounds up to 1");
        assertEquals(0, p.costMicroUsd(0, 0));
        assertEquals(3, p.costMicroUsd(10, 1), "1.5 + 0.6 = 2.1 → 3");
        PriceTable.Price huge = PriceTable.Price.perMillion(new java.math.BigDecimal("1000000"), java.math.BigDecimal.ZERO);
        assertEquals(Long.MAX_VALUE, huge.costMicroUsd(Long.MAX_VALUE / 2, 0), "saturates");
    }

    @Test
    void fallbackPolicyPricesUnknownModels() {
        PriceTable t = PriceTableJson.parse("""
                {"unpriced": {"policy": "fallback", "input_usd_per_million": 30, "output_usd_per_million": 60}}""");
        assertEquals(PriceTable.UnpricedPolicy.FALLBACK, t.policy());
        assertEquals(30 + 60, t.costMicroUsd("anything", 1, 1));
    }

    @Test
    void badFilesNameTheEntry() {
        assertMessage("unknown field \"input\"", "{\"models\": {\"m\": {\"input\": 1, \"output_usd_per_million\": 1}}}");
        assertMessage("models[\"m\"].input_usd_per_million: a number", "{\"models\": {\"m\": {\"input_usd_per_million\": \"1\", \"output_usd_per_million\": 1}}}");
        assertMessage("must not be negative", "{\"models\": {\"m\": {\"input_usd_per_million\": -1, \"output_usd_per_million\": 1}}}");
        assertMessage("more than 6 decimals", "{\"models\": {\"m\": {\"input_usd_per_million\": 0.0000001, \"output_usd_per_million\": 1}}}");
        assertMessage("unpriced.policy: must be \"refuse\" or \"fallback\"", "{\"unpriced\": {\"policy\": \"free\"}}");
        assertMessage("unpriced.input_usd_per_million: a number", "{\"unpriced\": {\"policy\": \"fallback\"}}");
        assertMessage("unknown field \"model\"", "{\"model\": {}}");
        assertMessage("not valid JSON", "{");
    }

    private static void assertMessage(String expected, String json) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PriceTableJson.parse(json));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
