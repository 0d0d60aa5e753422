package dev.keymeter.sidecar;

import dev.keymeter.check.Authorizer;
import dev.keymeter.metrics.CheckMetrics;
import dev.keymeter.metrics.UsageMetrics;
import dev.keymeter.usage.UsageLedger;

/**
 * What decides and settles: Check's {@link Authorizer} and its meters, and the ledger that settles
 * usage reported after the response (with its meters). Holds no thread and no file.
 */
record Decisions(Authorizer authorizer, CheckMetrics checkMetrics, UsageMetrics usageMetrics, UsageLedger ledger) {
}
