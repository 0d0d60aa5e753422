package dev.keymeter.check;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;

/**
 * The rate-limit headers a thread built lately, by header name and numeric value, so that a value
 * that did not change since the last request (a key's limits, a reset time within the same second, a
 * remaining budget between two settlements) reuses its immutable {@link HeaderValueOption} instead of
 * building three objects and a string again. Direct-mapped, {@value #SLOTS} slots; a collision just
 * rebuilds. Names are compared by identity: callers pass the constants of {@link QuotaResponses}.
 *
 * <p>Thread-confined (one per {@link Scratch}); the cached messages are immutable.
 */
final class HeaderCache {

    /** How a value becomes header text. */
    enum Format {
        /** A plain integer. */
        NUMBER,
        /**
         * Milliseconds as OpenAI's duration form, e.g. {@code 20ms}, {@code 6m0s}
         * ({@link QuotaResponses#duration}); callers pass {@link QuotaResponses#durationKey} so that one
         * value stands for each distinct text.
         */
        DURATION,
        /** Micro-USD as a USD amount ({@link QuotaResponses#usd}). */
        USD
    }

    private static final int SLOTS = 512;

    private final String[] names = new String[SLOTS];
    private final long[] values = new long[SLOTS];
    private final HeaderValueOption[] options = new HeaderValueOption[SLOTS];

    HeaderValueOption get(String name, long value, Format format) {
        int h = System.identityHashCode(name) * 31 + Long.hashCode(value);
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        HeaderValueOption cached = options[slot];
        if (cached != null && names[slot] == name && values[slot] == value) {
            return cached;
        }
        String text = switch (format) {
            case NUMBER -> Long.toString(value);
            case DURATION -> QuotaResponses.duration(value);
            case USD -> QuotaResponses.usd(value);
        };
        HeaderValueOption built = Headers.overwrite(name, text);
        names[slot] = name;
        values[slot] = value;
        options[slot] = built;
        return built;
    }
}
