package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.GetKeyUsageRequest;
import dev.keymeter.proto.admin.v1.KeyUsage;
import dev.keymeter.proto.admin.v1.UsageLine;
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

    private void printUsage(KeyUsage usage) {
        Table.withHeaders("Limit", "Used", "Limit", "Remaining")
                .row(line("Cost (USD)", usage.getCostMicroUsd(), Usd::format))
                .row(line("Tokens", usage.getTokens(), Long::toString))
                .row(line("Requests/min", usage.getRequestsPerMinute(), Long::toString))
                .print(out());
        out().println();
        Table.withoutHeaders(2)
                .row("Key", usage.getKeyId())
                .row("Reset period", Labels.reset(usage.getResetPeriod()))
                .row("Period start", Times.formatOr(usage.hasPeriodStartTime(), usage.getPeriodStartTime(), "-"))
                .row("Period end", Times.formatOr(usage.hasPeriodEndTime(), usage.getPeriodEndTime(), "-"))
                .row("Reservations", usage.getReservationsInFlight() + " in flight")
                .print(out());
    }

    private static Object[] line(String label, UsageLine line, LongFunction<String> format) {
        return new Object[] {
            label,
            format.apply(line.getUsed()),
            line.hasLimit() ? format.apply(line.getLimit()) : "none",
            line.hasRemaining() ? format.apply(line.getRemaining()) : "-"
        };
    }
}
