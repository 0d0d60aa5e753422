package dev.keymeter.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final Sessions sessions = new Sessions(clock, SessionLimits.DEFAULTS);

    private Session open() {
        return sessions.open("kma_secret", "key_1", "KEY_KIND_ADMIN", "");
    }

    @Test
    void use_withinIdleExpiry_findsItAndRestartsTheIdleClock() {
        Session session = open();
        clock.advance(Duration.ofMinutes(29));
        assertTrue(sessions.use(session.id()).isPresent());
        clock.advance(Duration.ofMinutes(29));
        assertEquals("kma_secret", sessions.use(session.id()).orElseThrow().adminKey());
    }

    @Test
    void use_afterIdleExpiry_isEmptyAndDropsIt() {
        Session session = open();
        clock.advance(Duration.ofMinutes(30));
        assertTrue(sessions.use(session.id()).isEmpty());
        assertEquals(0, sessions.size());
    }

    @Test
    void use_pastAbsoluteLifetime_isEmptyThoughUsedEveryFewMinutes() {
        Session session = open();
        for (int i = 0; i < 12 * 6 - 1; i++) {
            clock.advance(Duration.ofMinutes(10));
            assertTrue(sessions.use(session.id()).isPresent(), "after " + (i + 1) * 10 + " minutes");
        }
        clock.advance(Duration.ofMinutes(10));
        assertTrue(sessions.use(session.id()).isEmpty());
    }

    @Test
    void close_signedOut_isGone() {
        Session session = open();
        sessions.close(session.id());
        assertTrue(sessions.use(session.id()).isEmpty());
    }

    @Test
    void use_unknownOrNullId_isEmpty() {
        open();
        assertTrue(sessions.use("not-a-session").isEmpty());
        assertTrue(sessions.use(null).isEmpty());
    }

    @Test
    void open_idsAndCsrfTokens_are256RandomBitsAndNeverRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            Session session = open();
            assertEquals(32, Base64.getUrlDecoder().decode(session.id()).length);
            assertEquals(32, Base64.getUrlDecoder().decode(session.csrfToken()).length);
            assertNotEquals(session.id(), session.csrfToken());
            assertTrue(seen.add(session.id()));
            assertTrue(seen.add(session.csrfToken()));
        }
    }

    @Test
    void open_whenFull_dropsTheLeastRecentlyUsed() {
        Sessions small = new Sessions(clock, new SessionLimits(Duration.ofMinutes(30), Duration.ofHours(12), 2));
        Session first = small.open("a", "key_a", "KEY_KIND_ADMIN", "");
        clock.advance(Duration.ofSeconds(1));
        Session second = small.open("b", "key_b", "KEY_KIND_ADMIN", "");
        clock.advance(Duration.ofSeconds(1));
        small.use(first.id());
        Session third = small.open("c", "key_c", "KEY_KIND_ADMIN", "");
        assertEquals(2, small.size());
        assertTrue(small.use(first.id()).isPresent());
        assertTrue(small.use(second.id()).isEmpty());
        assertTrue(small.use(third.id()).isPresent());
    }

    @Test
    void toString_leavesOutTheKeyTheIdAndTheCsrfToken() {
        Session session = open();
        String text = session.toString();
        assertFalse(text.contains("kma_secret"), text);
        assertFalse(text.contains(session.id()), text);
        assertFalse(text.contains(session.csrfToken()), text);
        assertTrue(text.contains("key_1"), text);
    }

    @Test
    void limits_idleLongerThanLifetime_isRefusedNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SessionLimits(Duration.ofHours(2), Duration.ofHours(1), 10));
        assertTrue(e.getMessage().contains("PT1H") && e.getMessage().contains("PT2H"), e.getMessage());
    }

    @Test
    void settings_trustedHeaderThatIsNoHeaderName_isRefusedNamingTheFlag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConsoleSettings.DEFAULTS.withTrustedUserHeader("X Email: yes"));
        assertTrue(e.getMessage().contains("--console-trusted-user-header"), e.getMessage());
    }
}
