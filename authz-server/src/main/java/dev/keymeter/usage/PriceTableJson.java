package dev.keymeter.usage;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The JSON form of a {@link PriceTable} ({@code --prices FILE}), read once at start-up:
 *
 * <pre>{@code
 * {
 *   "models": {
 *     "gpt-4o":       {"input_usd_per_million": 2.50, "output_usd_per_million": 10.00},
 *     "gpt-4o-mini*": {"input_usd_per_million": 0.15, "output_usd_per_million": 0.60}
 *   },
 *   "unpriced": {"policy": "fallback", "input_usd_per_million": 30, "output_usd_per_million": 60}
 * }
 * }</pre>
 *
 * <p>{@code unpriced.policy} is {@code refuse} (the default) or {@code fallback} (then both prices are
 * required). Unknown fields are errors, so that a typo never silently prices a model at the fallback;
 * every error names the entry, e.g. {@code models["gpt-4o"].input_usd_per_million: …}.
 */
public final class PriceTableJson {

    private static final Set<String> TOP_FIELDS = Set.of("models", "unpriced");
    private static final Set<String> PRICE_FIELDS = Set.of("input_usd_per_million", "output_usd_per_million");
    private static final Set<String> UNPRICED_FIELDS = Set.of("policy", "input_usd_per_million", "output_usd_per_million");

    private PriceTableJson() {
    }

    /** Reads a price file; an {@link IllegalArgumentException} names the file and the bad entry. */
    public static PriceTable read(Path file) throws IOException {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static PriceTable parse(String json) {
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getMessage() + ")");
        }
        JsonObject root = object(parsed, "price table");
        checkFields(root, TOP_FIELDS, "price table");
        Map<String, PriceTable.Price> prices = new LinkedHashMap<>();
        if (root.has("models")) {
            JsonObject models = object(root.get("models"), "models");
            for (var e : models.entrySet()) {
                String where = "models[\"" + e.getKey() + "\"]";
                prices.put(e.getKey(), price(object(e.getValue(), where), where, true));
            }
        }
        PriceTable.UnpricedPolicy policy = PriceTable.UnpricedPolicy.REFUSE;
        PriceTable.Price fallback = null;
        if (root.has("unpriced")) {
            JsonObject unpriced = object(root.get("unpriced"), "unpriced");
            checkFields(unpriced, UNPRICED_FIELDS, "unpriced");
            String name = unpriced.has("policy") ? text(unpriced.get("policy"), "unpriced.policy") : "refuse";
            policy = switch (name.toLowerCase(Locale.ROOT)) {
                case "refuse" -> PriceTable.UnpricedPolicy.REFUSE;
                case "fallback" -> PriceTable.UnpricedPolicy.FALLBACK;
                default -> throw new IllegalArgumentException("unpriced.policy: must be \"refuse\" or \"fallback\", was \""
                        + name + "\"");
            };
            if (policy == PriceTable.UnpricedPolicy.FALLBACK) {
                fallback = price(unpriced, "unpriced", false);
            }
        }
        try {
            return new PriceTable(prices, policy, fallback);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("models: " + e.getMessage());
        }
    }

    private static PriceTable.Price price(JsonObject o, String where, boolean strict) {
        if (strict) {
            checkFields(o, PRICE_FIELDS, where);
        }
        BigDecimal in = number(o, "input_usd_per_million", where);
        BigDecimal out = number(o, "output_usd_per_million", where);
        try {
            return PriceTable.Price.perMillion(in, out);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }

    private static BigDecimal number(JsonObject o, String field, String where) {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException(where + "." + field + ": a number (USD per million tokens) is required");
        }
        return e.getAsBigDecimal();
    }

    private static String text(JsonElement e, String where) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(where + ": must be a string");
        }
        return e.getAsString();
    }

    private static JsonObject object(JsonElement e, String where) {
        if (e == null || !e.isJsonObject()) {
            throw new IllegalArgumentException(where + ": must be a JSON object");
        }
        return e.getAsJsonObject();
    }

    private static void checkFields(JsonObject o, Set<String> allowed, String where) {
        for (String field : o.keySet()) {
            if (!allowed.contains(field)) {
                throw new IllegalArgumentException(where + ": unknown field \"" + field + "\" (allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }
}
