package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.GetKeyUsageRequest;
import dev.keymeter.proto.admin.v1.KeyUsage;
import dev.keymeter.proto.admin.v1.UsageLine;
import dev.keymeter.proto.admin.v1.UsageSample;
import java.util.function.LongFunction;
import picocli.CommandLine.Command;

/** {@code keys usage KEY_ID}: the key's overview, current usage against each limit. */
@Command(name = "usage", description = "Show a key's current usage and limits.")
final class KeyUsageCommand extends KeyIdCommand {

    @Override
    void run(AdminSession session) {
        KeyUsage usage = session.stub().getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(keyId).build());
        print(usage, () -> printUsage(usage));
    }

    static void printUsage(java.io.PrintWriter out, KeyUsage usage) {
        Table.withHeaders("Kind", "Used", "Reserved", "Limit", "Remaining")
                .row(line("Cost (USD)", usage.getCostMicroUsd(), usage.getCostReservedMicroUsd(), Usd::format))
                .row(line("Tokens", usage.getTokens(), usage.getTokensReserved(), Long::toString))
                .row(line("Requests/min", usage.getRequestsPerMinute(), -1, Long::toString))
                .print(out);
        out.println();
        Table.withoutHeaders(2)
                .row("Key", usage.getKeyId())
                .row("Reset period", Labels.reset(usage.getResetPeriod()))
                .row("Period start", Times.formatOr(usage.hasPeriodStartTime(), usage.getPeriodStartTime(), "-"))
                .row("Period end", Times.formatOr(usage.hasPeriodEndTime(), usage.getPeriodEndTime(), "-"))
                .row("Reservations", usage.getReservationsInFlight() + " in flight")
                .row("Usage reset", Times.formatOr(usage.hasUsageResetTime(), usage.getUsageResetTime(), "never"))
                .row("As of", usage.hasAsOfTime()
                        ? Times.formatOr(true, usage.getAsOfTime(), "-") + " (" + usage.getReportingSidecars() + " sidecar"
                                + (usage.getReportingSidecars() == 1 ? "" : "s") + ")"
                        : "no sidecar has reported usage yet")
                .row("Last 24h", last24h(usage))
                .print(out);
        if (usage.getSidecarsCount() > 1) {
            out.println();
            Table bySidecar = Table.withHeaders("Sidecar", "Requests/min", "Tokens", "Cost (USD)", "As of");
            for (var part : usage.getSidecarsList()) {
                bySidecar.row(part.getSidecarId(), Long.toString(part.getRequestsLastMinute()),
                        Long.toString(part.getTokensUsed()), Usd.format(part.getCostUsedMicroUsd()),
                        Times.formatOr(true, part.getAsOfTime(), "-"));
            }
            bySidecar.print(out);
        }
    }

    /** The sum of the history's buckets: "N requests, T tokens, $C" (the JSON output has every bucket). */
    static String last24h(KeyUsage usage) {
        long requests = 0;
        long tokens = 0;
        long cost = 0;
        for (UsageSample sample : usage.getHistoryList()) {
            requests = saturatedAdd(requests, sample.getRequests());
            tokens = saturatedAdd(tokens, sample.getTokens());
            cost = saturatedAdd(cost, sample.getCostMicroUsd());
        }
        return requests + " requests, " + tokens + " tokens, $" + Usd.format(cost);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private void printUsage(KeyUsage usage) {
        printUsage(out(), usage);
    }

    private static Object[] line(String label, UsageLine line, long reserved, LongFunction<String> format) {
        return new Object[] {
            label,
            format.apply(line.getUsed()),
            reserved < 0 ? "-" : format.apply(reserved),
            line.hasLimit() ? format.apply(line.getLimit()) : "none",
            line.hasRemaining() ? format.apply(line.getRemaining()) : "-"
        };
    }
}
