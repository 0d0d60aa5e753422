package dev.keymeter.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.admin.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The board's bounds: sidecars and entries are capped; updates always fit; stale figures make room. */
class UsageBoardTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));

    private UsageBoard.Figures figures(long tokens) {
        return new UsageBoard.Figures(null, null, tokens, 0, 0, 0, 0, 0, clock.instant());
    }

    private long tokens(UsageBoard board, String keyId) {
        return board.total(keyId, null, null, clock.instant()).tokensUsed();
    }

    @Test
    void record_pastTheSidecarCap_isRefused_untilStaleFiguresAreDropped() {
        UsageBoard board = new UsageBoard(clock, new UsageBoard.Bounds(2, 100));
        assertTrue(board.record("key_a", "sc-1", figures(1)));
        assertTrue(board.record("key_a", "sc-2", figures(2)));
        assertFalse(board.record("key_a", "sc-3", figures(3)), "a third sidecar does not fit");
        assertEquals(2, board.sidecars());
        assertEquals(3, tokens(board, "key_a"), "the refused figures are not counted");
        assertTrue(board.record("key_b", "sc-1", figures(4)), "a known sidecar's new key fits");
        assertTrue(board.record("key_a", "sc-2", figures(5)), "updates always fit");
        assertEquals(3, board.entries());

        clock.advance(Duration.ofMinutes(16));
        assertTrue(board.record("key_a", "sc-3", figures(7)), "stale figures made room");
        assertEquals(1, board.sidecars());
        assertEquals(1, board.entries());
        assertEquals(7, tokens(board, "key_a"));
        assertEquals(0, tokens(board, "key_b"));
    }

    @Test
    void record_pastTheEntryCap_isRefused_whileFiguresAreFresh() {
        UsageBoard board = new UsageBoard(clock, new UsageBoard.Bounds(10, 2));
        assertTrue(board.record("key_a", "sc-1", figures(1)));
        assertTrue(board.record("key_b", "sc-1", figures(1)));
        clock.advance(Duration.ofMinutes(14));
        assertFalse(board.record("key_c", "sc-1", figures(1)), "nothing is stale yet");
        assertEquals(2, board.entries());
        assertTrue(board.record("key_b", "sc-1", figures(9)));
        assertEquals(9, tokens(board, "key_b"));
        assertEquals(0, board.total("key_c", null, null, clock.instant()).sidecars());
    }

    @Test
    void controlPlane_usageBoardSetting_boundsTheBoard_andCountsWhatIsRefused(@TempDir Path dir) throws Exception {
        ControlPlaneConfig config = ControlPlaneConfig.defaults(dir).withPort(0).withClock(clock)
                .withUsageBoard(new UsageBoard.Bounds(1, 2));
        try (ControlPlane cp = ControlPlane.start(config)) {
            UsageBoard board = cp.rules().usageBoard();
            assertEquals(1, board.maxSidecars());
            assertEquals(2, board.maxEntries());
            assertTrue(board.record("key_a", "sc-1", figures(1)));
            assertFalse(board.record("key_a", "sc-2", figures(1)), "a second sidecar does not fit");
            assertTrue(board.record("key_b", "sc-1", figures(1)));
            assertFalse(board.record("key_c", "sc-1", figures(1)), "a third entry does not fit");
            assertEquals(2, board.refused());
        }
    }

    @Test
    void bounds_outOfRange_nameTheFlag() {
        IllegalArgumentException sidecars = assertThrows(IllegalArgumentException.class,
                () -> new UsageBoard.Bounds(0, 10));
        assertTrue(sidecars.getMessage().contains("--usage-board-max-sidecars"), sidecars.getMessage());
        IllegalArgumentException entries = assertThrows(IllegalArgumentException.class,
                () -> new UsageBoard.Bounds(10, 0));
        assertTrue(entries.getMessage().contains("--usage-board-max-entries"), entries.getMessage());
        IllegalArgumentException history = assertThrows(IllegalArgumentException.class,
                () -> new UsageBoard.Bounds(10, 10, 0));
        assertTrue(history.getMessage().contains("--usage-history-max-keys"), history.getMessage());
    }

    @Test
    void history_boundOfItsOwn_holdsFewerKeysThanTheBoard() {
        UsageBoard board = new UsageBoard(clock, new UsageBoard.Bounds(10, 100, 2));
        for (String key : new String[] {"key_a", "key_b", "key_c"}) {
            assertTrue(board.record(key, "sc-1", figures(1)), "the board itself has room for " + key);
            clock.advance(Duration.ofSeconds(5));
            assertTrue(board.record(key, "sc-1", figures(3)), "an increase over the first report, for the history");
        }
        assertEquals(3, board.entries());
        assertEquals(2, board.history().keys(), "the history holds at most its own bound");
        assertEquals(1, board.history().refused());
    }
}
