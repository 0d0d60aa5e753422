/**
 * Budgets: the per-key counters behind the 429 answers, and the reset periods they follow.
 *
 * <ul>
 *   <li>{@link dev.keymeter.quota.RollingWindow} — requests per rolling 60 s window (61 one-second
 *       slots plus a head word); {@code tryAcquire} returns a {@link dev.keymeter.quota.RateProbe}.
 *       Never admits more than the limit in any 60 s interval; refuses only when the last 60 s,
 *       widened to whole seconds (at most 1 s), hold the limit.</li>
 *   <li>{@link dev.keymeter.quota.PeriodBudget} — tokens or cost (integer micro-USD) per
 *       {@link dev.keymeter.keys.ResetPeriod}, with reservations; {@code tryReserve} returns a
 *       {@link dev.keymeter.quota.BudgetProbe}, {@code snapshot} a
 *       {@link dev.keymeter.quota.BudgetUsage}. The period lives in the counter word, so a boundary
 *       resets exactly once, atomically with the first update of the new period.</li>
 *   <li>From the shared key model (module {@code model}): {@link dev.keymeter.keys.LimitBound}, the
 *       largest limit each counter holds, and {@link dev.keymeter.keys.ResetPeriod}, the UTC
 *       calendar periods and their compact numbering.</li>
 *   <li>{@link dev.keymeter.quota.CounterCells} — the storage both counters run on: fixed 64-bit
 *       cells with volatile get/set, CAS and get-and-add, {@link dev.keymeter.quota.KeyQuota#CELLS}
 *       per key and usage epoch, handed out by a {@link dev.keymeter.quota.CounterStore}:
 *       {@link dev.keymeter.quota.HeapCounterStore} ({@link dev.keymeter.quota.HeapCounterCells},
 *       lost with the process) or {@link dev.keymeter.quota.ChronicleCounterStore}, a persisted
 *       Chronicle Map whose cells are lock-free atomics directly on each entry's 8-byte aligned,
 *       mapped value (cached on the heap after the first lookup; one owner process per directory,
 *       recovery after an unclean shutdown; entries never removed, checksums off — design §5; its
 *       class comment gives the memory-ordering argument, and {@code ChronicleCounterCrashTest}
 *       checks that no acknowledged update is lost over 20 {@code kill -9} cycles).</li>
 *   <li>{@link dev.keymeter.quota.FleetSync} and {@link dev.keymeter.quota.FleetRate} — a key's
 *       requests-per-minute limit shared by a fleet of sidecars through a
 *       {@link dev.keymeter.quota.FleetStore} (Redis in the process; an in-process model in the
 *       simulator {@code FleetRateSimulationTest}): each sidecar pushes its window's absolute
 *       per-second counts, reads the fleet's count G and admits at most ⌊(L − G) / N⌋ until its next
 *       sync; {@code FleetRate}'s class comment gives the memory-ordering argument of its allowance
 *       ({@code FleetRateConcurrencyTest}).</li>
 *   <li>{@link dev.keymeter.quota.FleetBudget} — a key's token or cost budget shared the same way by
 *       allotments: the store grants each sidecar what it may commit in the period, out of what the
 *       others have not taken, and the key's own {@code PeriodBudget} applies the allotment as its
 *       limit; its class comment gives the ordering argument of a release
 *       ({@code FleetBudgetConcurrencyTest}), {@code FleetBudgetSimulationTest} the bound.</li>
 * </ul>
 *
 * <p><b>Thread-safety.</b> Records and {@code ResetPeriod} are immutable. {@code RollingWindow} and
 * {@code PeriodBudget} are lock-free and linearizable: every decision is one CAS on one 64-bit word
 * (a failed CAS retries from a fresh read); their class comments give the packing, the orderings
 * relied on and the safety argument, and name the Lincheck and many-thread tests that check them.
 * They hold no state of their own besides the cells, so any number of instances may be created
 * over the same cells. Nothing here blocks, throws on a denial, or reads a clock.
 *
 * <p><b>Dependencies.</b> Plain Java and Chronicle Map (for {@code ChronicleCounterStore} only, which
 * opens its file through {@link dev.keymeter.chronicle.ChronicleFiles} like every map file of the
 * process; the JVM flags are in the parent pom). Must not import gRPC, Micrometer or Envoy classes. Time is
 * always passed in as epoch milliseconds, never read from the system clock, so tests control it;
 * amounts are integers (requests, tokens, micro-USD).
 */
package dev.keymeter.quota;
