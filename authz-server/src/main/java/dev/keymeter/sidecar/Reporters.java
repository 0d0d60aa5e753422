package dev.keymeter.sidecar;

/** What goes back to the control plane on the scheduler thread: last-used times and usage figures. */
record Reporters(LastUsedReporter lastUsed, UsageReporter usage) {
}
