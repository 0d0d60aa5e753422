/**
 * The keymeter process: {@link dev.keymeter.server.Main} and the commands that do not belong to a
 * more specific package ({@code doctor}).
 *
 * <p>Owns: the command tree (which commands the jar offers) and the checks that tell an operator
 * whether this machine can run keymeter. The commands themselves live with what they run
 * ({@code serve}, {@code control-plane}, the CLI client).
 *
 * <p>Must not: hold business rules, or touch Chronicle before
 * {@link dev.keymeter.chronicle.ChronicleFiles#disableAnalytics()} has run.
 *
 * <p>Running the jar: {@code java -jar keymeter.jar <command>} needs no JVM flags on Java 17+, as
 * the manifest carries Chronicle's {@code Add-Opens}, {@code Add-Exports} and (Java 22+)
 * {@code Enable-Native-Access}. The runtime must be a full JDK: Chronicle loads {@code jdk.compiler}
 * to compile value classes at run time (the map header's is shipped compiled, see
 * {@code dev.keymeter.chronicle}; {@code keymeter doctor} still compiles one). On Java 24+ also pass
 * {@code --sun-misc-unsafe-memory-access=allow} (on the command line or in
 * {@code JDK_JAVA_OPTIONS}); a manifest cannot carry it, Java 17 rejects it, and without it the JDK
 * prints a one-time deprecation warning about {@code sun.misc.Unsafe} (nothing fails).
 *
 * <p>Thread-safety: commands run once, on the main thread.
 */
package dev.keymeter.server;
