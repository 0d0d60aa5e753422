package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.ResetPeriod;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The optional budgets of a key: cost (typed in USD, sent in micro-USD), tokens, requests per
 * minute, and the reset period of the cost and token counters. An option not given means "no
 * limit" on create and "unchanged" on update.
 */
final class LimitOptions {

    @Option(names = "--cost-limit-usd", paramLabel = "USD", converter = Values.MicroUsd.class,
            description = "Spend limit per reset period in USD, up to 6 decimals, e.g. 12.50.")
    Long costLimitMicroUsd;

    @Option(names = "--token-limit", paramLabel = "N", converter = Values.Tokens.class,
            description = "Tokens (input + output) per reset period.")
    Long tokenLimit;

    @Option(names = "--rpm", paramLabel = "N", converter = Values.RequestsPerMinute.class,
            description = "Requests within any rolling 60 seconds.")
    Long requestsPerMinute;

    @Option(names = "--reset", paramLabel = "never|daily|weekly|monthly", converter = Choices.Reset.class,
            description = "When the cost and token counters reset (default on create: never)."
                    + " Never applies to --rpm.")
    ResetPeriod resetPeriod;

    /** Admin API field (the part after {@code limits.}) → the flag that sets it. */
    private static final Map<String, String> FLAGS = Map.of(
            "cost_limit_micro_usd", "--cost-limit-usd",
            "token_limit", "--token-limit",
            "requests_per_minute", "--rpm");
    private static final Pattern LIMIT_FIELD = Pattern.compile("^(?:key\\.)?limits\\.([a-z_]+):");

    /**
     * {@code " (--flag)"} when a refusal's description names a limit field, else {@code ""}: the
     * server names its field ({@code limits.token_limit: must be between 0 and …}), a person typed a
     * flag.
     */
    static String flagHint(String description) {
        Matcher m = LIMIT_FIELD.matcher(description);
        String flag = m.find() ? FLAGS.get(m.group(1)) : null;
        return flag == null ? "" : " (" + flag + ")";
    }

    /** The limits given; unset fields mean "no limit". */
    Limits toProto() {
        Limits.Builder limits = Limits.newBuilder();
        if (costLimitMicroUsd != null) {
            limits.setCostLimitMicroUsd(costLimitMicroUsd);
        }
        if (tokenLimit != null) {
            limits.setTokenLimit(tokenLimit);
        }
        if (requestsPerMinute != null) {
            limits.setRequestsPerMinute(requestsPerMinute);
        }
        if (resetPeriod != null) {
            limits.setResetPeriod(resetPeriod);
        }
        return limits.build();
    }
}
