package dev.keymeter.usage;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Fuzzes the price-table reader ({@link PriceTableJson}): any text either reads as a table that then
 * prices any model and any token counts without failing, or is refused with the documented
 * {@link IllegalArgumentException} and a message; nothing else escapes. Half the inputs are price
 * entries built from fuzzed names and numbers (huge exponents, negatives, fractions), so that the
 * checks past the JSON syntax are reached too.
 *
 * <p>{@code mvn verify} replays the seed inputs under {@code PriceTableJsonFuzzTestInputs/}; how to
 * fuzz is in docs/fuzzing.md.
 */
class PriceTableJsonFuzzTest {

    private static final String[] NUMBERS = {"0", "2.5", "-1", "1e308", "1e-30", "1e999999999", "0.000001",
        "17592186044415", "1E+2147483647", "null", "\"3\""};

    @FuzzTest(maxDuration = "3h", maxExecutions = 1_000_000)
    void parse_fuzzedJson_readsOrRefusesWithAMessage(FuzzedDataProvider data) {
        String json = data.consumeBoolean() ? prices(data) : data.consumeRemainingAsString();
        PriceTable table;
        try {
            table = PriceTableJson.parse(json);
        } catch (IllegalArgumentException refused) {
            assertNotNull(refused.getMessage());
            assertFalse(refused.getMessage().isBlank());
            return;
        }
        for (String model : new String[] {"gpt-4o", "gpt-4o-mini-2024", "", "x"}) {
            PriceTable.Price price = table.priceOf(model);
            table.costOf(price, 17_592_186_044_415L, 17_592_186_044_415L); // saturates; never throws
            table.costOf(price, 0, 1);
        }
    }

    /** {@code {"models": {…}, "unpriced": {…}}} with fuzzed names and numbers. */
    private static String prices(FuzzedDataProvider data) {
        StringBuilder json = new StringBuilder("{\"models\": {");
        int n = data.consumeInt(0, 3);
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "" : ", ").append('"')
                    .append(data.consumeString(12).replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\": {\"input_usd_per_million\": ").append(number(data))
                    .append(", \"output_usd_per_million\": ").append(number(data)).append('}');
        }
        json.append('}');
        if (data.consumeBoolean()) {
            json.append(", \"unpriced\": {\"policy\": \"").append(data.consumeBoolean() ? "fallback" : "refuse")
                    .append("\", \"input_usd_per_million\": ").append(number(data))
                    .append(", \"output_usd_per_million\": ").append(number(data)).append('}');
        }
        return json.append('}').toString();
    }

    private static String number(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 2)) {
            case 0 -> data.pickValue(NUMBERS);
            case 1 -> Double.toString(data.consumeDouble());
            default -> data.consumeLong() + "." + data.consumeInt(0, Integer.MAX_VALUE) + "e" + data.consumeInt(-400, 400);
        };
    }
}
