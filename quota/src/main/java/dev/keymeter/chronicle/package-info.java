/**
 * Chronicle Map files on disk: opening a persisted map with the settings design §5 measured
 * (constant-size keys and values, {@code entries()} from configuration, entry checksums off),
 * noticing that the previous owner did not close it and recovering it, and keeping Chronicle
 * from phoning home.
 *
 * <p>Owns: {@link dev.keymeter.chronicle.ChronicleFiles} (the only way the process opens a
 * map file), {@link dev.keymeter.chronicle.MapLayout} (what a map holds and how big it may
 * grow), {@link dev.keymeter.chronicle.PersistedMap} (an open map and how it was opened), and
 * {@link dev.keymeter.chronicle.KeyIdBytes} (a key id as a constant-size map key, the one codec both
 * the replica and the counters use). What else goes into the maps belongs to the packages that use
 * them (replica, counters).
 *
 * <p>Chronicle generates the accessor class of every map file's header and compiles it with javac the
 * first time a process opens a map, unless the class is already on the classpath. This module
 * ships it compiled ({@code src/generated/java}, {@code VanillaGlobalMutableState$$Native}), which
 * takes javac off every start; {@code GeneratedChronicleClassesTest} fails when a Chronicle upgrade
 * changes what the generator writes.
 *
 * <p>Must not import gRPC, Envoy, Micrometer or picocli: this is storage plumbing that the hot path
 * and the commands both use.
 *
 * <p>Thread-safety: {@code ChronicleFiles} is stateless. A {@code PersistedMap}'s map is as
 * thread-safe as Chronicle Map itself; closing it while other threads still use the map is the
 * caller's bug. One process owns a map file at a time, and a second open of the same file, from
 * this process or another, is refused (design §5: a second writer that dies leaves segment locks
 * held, and recovery needs exclusive access).
 */
package dev.keymeter.chronicle;
