package dev.keymeter.quota;

/**
 * The answer of {@link KeyQuota#tryAdmit}: whether the request may go on, which limit refused it,
 * and the state of every counter, for the 429 body and the {@code x-ratelimit-*} headers. Immutable.
 *
 * @param refusedBy {@code null} when admitted; otherwise the first limit that refused
 * @param requests  the rolling window's answer; {@code null} when a budget refused first (the window
 *                  was then not asked, so nothing was counted)
 * @param tokens    the token budget's answer (its reservation when admitted)
 * @param cost      the cost budget's answer, micro-USD (its reservation when admitted)
 */
public record QuotaDecision(Limit refusedBy, RateProbe requests, BudgetProbe tokens, BudgetProbe cost) {

    /**
     * The three limits, each with the {@code error.type} and {@code error.code} that OpenAI's own 429s
     * carry for the same cause, so that clients matching on them (e.g. {@code code ==
     * "insufficient_quota"} to stop retrying) treat ours alike. Metrics label denials by
     * {@code DenialReason}, not by these: two limits share a code.
     */
    public enum Limit {
        REQUESTS_PER_MINUTE("requests", "rate_limit_exceeded"),
        TOKENS("tokens", "rate_limit_exceeded"),
        COST("insufficient_quota", "insufficient_quota");

        private final String type;
        private final String code;

        Limit(String type, String code) {
            this.type = type;
            this.code = code;
        }

        /** The {@code error.type} of the 429 body. */
        public String type() {
            return type;
        }

        /** The {@code error.code} of the 429 body. */
        public String code() {
            return code;
        }
    }

    public boolean admitted() {
        return refusedBy == null;
    }
}
