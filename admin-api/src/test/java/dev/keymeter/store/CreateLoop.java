package dev.keymeter.store;

import java.nio.file.Path;

/**
 * The child process of {@link SqliteKeyStoreDurabilityTest}: creates keys one after another and
 * prints {@code "<index> <revision> ok"} for each only after {@code write} returned, i.e. after the
 * commit was acknowledged. Runs until killed, or until its stdout is gone (the test died).
 *
 * <p>Arguments: the database file, and the cycle name that makes this run's key ids unique.
 */
public final class CreateLoop {

    private CreateLoop() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        String cycle = args[1];
        try (SqliteKeyStore store = SqliteKeyStore.open(file)) {
            for (int index = 0; !System.out.checkError(); index++) {
                int i = index;
                long revision = store.write(w -> {
                    long r = w.nextRevision();
                    w.insertKey(TestKeys.durable(cycle, i, r));
                    return r;
                });
                System.out.println(index + " " + revision + " ok");
                System.out.flush();
            }
        }
    }
}
