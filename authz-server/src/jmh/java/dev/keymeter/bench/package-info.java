/**
 * Benchmarks, run on purpose and never by {@code mvn verify}: JMH benchmarks of the decision, the
 * interleaved key-count comparisons ({@code KeyCountInterleaved} on one thread, {@code KeyCountOverGrpc}
 * through real Check servers) and the programs the h2load script drives. Built by {@code mvn -Pbench}; each class's Javadoc holds the command that runs it.
 */
package dev.keymeter.bench;
