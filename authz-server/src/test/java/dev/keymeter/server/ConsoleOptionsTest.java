package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.console.SessionLimits;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --console-trusted-user-header} as the process commands parse it. */
class ConsoleOptionsTest {

    private static Settings parse(String... args) {
        return CommandLine.populateCommand(new ProcessOptions(), args).settings();
    }

    @Test
    void trustedUserHeader_default_isOffWithDefaultSessions() {
        Settings s = parse();
        assertFalse(s.controlPlane().console().trustsUserHeader());
        assertEquals(SessionLimits.DEFAULTS, s.controlPlane().console().sessions());
    }

    @Test
    void trustedUserHeader_set_reachesTheControlPlane() {
        Settings s = parse("--console-trusted-user-header", "X-Forwarded-Email");
        assertEquals("X-Forwarded-Email", s.controlPlane().console().trustedUserHeader());
    }

    @Test
    void trustedUserHeader_notAHeaderName_isRefusedNamingTheFlag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--console-trusted-user-header", "X-Email: ana"));
        assertTrue(e.getMessage().contains("--console-trusted-user-header"), e.getMessage());
    }
}
