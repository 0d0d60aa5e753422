package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.ResetPeriod;
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
