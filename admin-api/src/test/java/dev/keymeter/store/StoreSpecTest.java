package dev.keymeter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code --store}: what each form means, and errors that name the problem without echoing a password. */
class StoreSpecTest {

    private static final Path DATA = Path.of("/var/lib/keymeter");

    @Test
    void sqlite_relativePathResolvesInTheDataDirectory() {
        StoreSpec spec = StoreSpec.parse("sqlite:keymeter.db", DATA);
        assertEquals(DATA.resolve("keymeter.db"), spec.sqliteFile());
        assertFalse(spec.postgres());
        assertEquals("sqlite:/var/lib/keymeter/keymeter.db", spec.toString());
        assertEquals(Path.of("/tmp/k.db"), StoreSpec.parse("sqlite:/tmp/k.db", DATA).sqliteFile());
    }

    @Test
    void postgresql_userPasswordPortAndParameters_becomeAJdbcUrlWithoutCredentials() {
        StoreSpec spec = StoreSpec.parse("postgresql://keymeter:s%40cret@db.internal:6432/keys?sslmode=verify-full", DATA);
        assertTrue(spec.postgres());
        assertEquals("jdbc:postgresql://db.internal:6432/keys?sslmode=verify-full", spec.jdbcUrl());
        assertEquals("keymeter", spec.user());
        assertEquals("s@cret", spec.password());
        assertEquals("postgresql://keymeter:***@db.internal:6432/keys?sslmode=verify-full", spec.toString());
    }

    @Test
    void postgresql_withoutUserOrPort_andPasswordFromElsewhere() {
        StoreSpec spec = StoreSpec.parse("postgres://db/keys", DATA);
        assertEquals("jdbc:postgresql://db/keys", spec.jdbcUrl());
        assertNull(spec.user());
        assertEquals("from-file", spec.withPassword("from-file").password());
        assertEquals("postgresql://[::1]:5432/keys", StoreSpec.parse("postgresql://[::1]:5432/keys", DATA).toString());
    }

    @Test
    void badStores_areRefusedWithAMessageThatNamesTheProblem_neverThePassword() {
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class,
                () -> StoreSpec.parse("mysql://root:hunter2@db/keys", DATA));
        assertTrue(scheme.getMessage().contains("'mysql:…'"), scheme.getMessage());
        assertFalse(scheme.getMessage().contains("hunter2"));
        IllegalArgumentException noDatabase = assertThrows(IllegalArgumentException.class,
                () -> StoreSpec.parse("postgresql://u:hunter2@db:5432", DATA));
        assertTrue(noDatabase.getMessage().contains("needs a database"), noDatabase.getMessage());
        assertFalse(noDatabase.getMessage().contains("hunter2"));
        assertThrows(IllegalArgumentException.class, () -> StoreSpec.parse("sqlite:", DATA));
        assertThrows(IllegalArgumentException.class, () -> StoreSpec.parse("sqlite:x.db", DATA).withPassword("p"));
    }
}
