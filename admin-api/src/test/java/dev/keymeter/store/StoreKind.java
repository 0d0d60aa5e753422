package dev.keymeter.store;

import java.nio.file.Path;

/**
 * The databases the store runs on. Store tests are written once and run against each
 * ({@code @ParameterizedClass @EnumSource(StoreKind.class)}): SQLite in a file of the test's temporary
 * directory, PostgreSQL in a new database of the test JVM's one real server
 * ({@link PostgresServer#shared}).
 */
enum StoreKind {
    SQLITE, POSTGRESQL;

    /** Where a store lives; opening it twice opens the same data. */
    interface Location {
        KeyStore open();
    }

    /** A new, empty store's location ({@code dir}: the test's own temporary directory). */
    Location newLocation(Path dir) {
        return switch (this) {
            case SQLITE -> {
                Path file = dir.resolve("keymeter.db");
                yield () -> SqliteKeyStore.open(file);
            }
            case POSTGRESQL -> {
                String url = PostgresServer.shared().createDatabase();
                yield () -> PostgresKeyStore.open(url);
            }
        };
    }

    /** A new, empty store. */
    KeyStore open(Path dir) {
        return newLocation(dir).open();
    }
}
