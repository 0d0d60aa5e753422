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

    /** The three limits, each with its own 429 code. */
    public enum Limit {
        REQUESTS_PER_MINUTE("rate_limit_exceeded"),
        TOKENS("token_limit_exceeded"),
        COST("budget_exceeded");

        private final String code;

        Limit(String code) {
            this.code = code;
        }

        /** The {@code error.code} of the 429 body (OpenAI style); also a safe metric label. */
        public String code() {
            return code;
        }
    }

    public boolean admitted() {
        return refusedBy == null;
    }
}
