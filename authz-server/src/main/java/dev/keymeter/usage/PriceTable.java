package dev.keymeter.usage;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Model → price, to turn reported tokens into cost when the gateway does not report the cost itself.
 * Prices are USD per million tokens, input and output apart, as providers publish them; one USD per
 * million tokens is one micro-USD per token, and costs are rounded up to whole micro-USD (never
 * under-count).
 *
 * <p>Model names match case-insensitively: exactly, or by the longest pattern ending in {@code *}
 * (e.g. {@code gpt-4o-mini*} for dated variants). A model without a price is never silently $0: the
 * {@link UnpricedPolicy} says what happens, and the ledger counts it in a metric.
 *
 * <p>Immutable and thread-safe.
 */
public final class PriceTable {

    /** What a model without a price costs. */
    public enum UnpricedPolicy {
        /** Charge the fallback price. */
        FALLBACK,
        /** Refuse requests of keys with a cost limit that use it: their spend could not be metered. */
        REFUSE
    }

    /** A price in pico-USD per token (1 USD per million tokens = 1,000,000 pico-USD per token). */
    public record Price(long inputPicoUsdPerToken, long outputPicoUsdPerToken) {

        public Price {
            if (inputPicoUsdPerToken < 0 || outputPicoUsdPerToken < 0) {
                throw new IllegalArgumentException("prices must not be negative");
            }
        }

        /** From USD per million tokens, at most 6 decimals (e.g. 0.075). */
        public static Price perMillion(BigDecimal inputUsd, BigDecimal outputUsd) {
            return new Price(pico(inputUsd, "input"), pico(outputUsd, "output"));
        }

        private static long pico(BigDecimal usdPerMillion, String which) {
            if (usdPerMillion.signum() < 0) {
                throw new IllegalArgumentException(which + " price must not be negative: " + usdPerMillion.toPlainString());
            }
            if (usdPerMillion.compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
                throw new IllegalArgumentException(which + " price above 1,000,000 USD per million tokens: "
                        + usdPerMillion.toPlainString());
            }
            try {
                return usdPerMillion.movePointRight(6).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(which + " price has more than 6 decimals: " + usdPerMillion.toPlainString());
            }
        }

        /** Cost of these tokens in micro-USD, rounded up; saturates at {@link Long#MAX_VALUE}. */
        public long costMicroUsd(long inputTokens, long outputTokens) {
            try {
                long pico = Math.addExact(Math.multiplyExact(inputTokens, inputPicoUsdPerToken),
                        Math.multiplyExact(outputTokens, outputPicoUsdPerToken));
                return pico / 1_000_000 + (pico % 1_000_000 == 0 ? 0 : 1);
            } catch (ArithmeticException overflow) {
                BigInteger pico = BigInteger.valueOf(inputTokens).multiply(BigInteger.valueOf(inputPicoUsdPerToken))
                        .add(BigInteger.valueOf(outputTokens).multiply(BigInteger.valueOf(outputPicoUsdPerToken)));
                BigInteger[] qr = pico.divideAndRemainder(BigInteger.valueOf(1_000_000));
                BigInteger micro = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
                return micro.bitLength() < 64 ? micro.longValue() : Long.MAX_VALUE;
            }
        }
    }

    /** What {@link #costMicroUsd} returns for a model without a price under {@link UnpricedPolicy#REFUSE}. */
    public static final long UNPRICED = -1;

    private final Map<String, Price> exact;
    /** Prefix patterns, longest first. */
    private final List<Map.Entry<String, Price>> prefixes;
    private final UnpricedPolicy policy;
    private final Price fallback;

    /**
     * @param prices   model name or {@code prefix*} → price
     * @param policy   what an unpriced model costs
     * @param fallback the price for unpriced models; required with {@link UnpricedPolicy#FALLBACK}
     */
    public PriceTable(Map<String, Price> prices, UnpricedPolicy policy, Price fallback) {
        this.policy = Objects.requireNonNull(policy, "policy");
        if (policy == UnpricedPolicy.FALLBACK && fallback == null) {
            throw new IllegalArgumentException("the fallback policy needs a fallback price");
        }
        this.fallback = fallback;
        Map<String, Price> e = new HashMap<>();
        List<Map.Entry<String, Price>> p = new ArrayList<>();
        prices.forEach((name, price) -> {
            String n = normalize(name);
            if (n.isEmpty() || n.equals("*")) {
                throw new IllegalArgumentException("a model name must not be empty (use the unpriced policy for a default)");
            }
            if (n.endsWith("*")) {
                p.add(Map.entry(n.substring(0, n.length() - 1), price));
            } else {
                e.put(n, Objects.requireNonNull(price, name));
            }
        });
        p.sort(Comparator.comparingInt((Map.Entry<String, Price> x) -> x.getKey().length()).reversed());
        this.exact = Map.copyOf(e);
        this.prefixes = List.copyOf(p);
    }

    /** No prices; unpriced models are refused for keys with a cost limit. The default. */
    public static PriceTable empty() {
        return new PriceTable(Map.of(), UnpricedPolicy.REFUSE, null);
    }

    public UnpricedPolicy policy() {
        return policy;
    }

    public int size() {
        return exact.size() + prefixes.size();
    }

    /** The model's own price, or {@code null} when it has none ({@code model} may be null). */
    public Price priceOf(String model) {
        if (model == null) {
            return null;
        }
        String m = normalize(model);
        Price p = exact.get(m);
        if (p != null) {
            return p;
        }
        for (Map.Entry<String, Price> prefix : prefixes) {
            if (m.startsWith(prefix.getKey())) {
                return prefix.getValue();
            }
        }
        return null;
    }

    /**
     * The cost of these tokens of {@code model} in micro-USD: its price, else the fallback price, else
     * {@link #UNPRICED} (policy {@link UnpricedPolicy#REFUSE}).
     */
    public long costMicroUsd(String model, long inputTokens, long outputTokens) {
        return costOf(priceOf(model), inputTokens, outputTokens);
    }

    /** Like {@link #costMicroUsd(String, long, long)} for a price already looked up ({@code null}: none). */
    public long costOf(Price price, long inputTokens, long outputTokens) {
        Price p = price;
        if (p == null) {
            if (policy == UnpricedPolicy.REFUSE) {
                return UNPRICED;
            }
            p = fallback;
        }
        return p.costMicroUsd(inputTokens, outputTokens);
    }

    private static String normalize(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }
}
