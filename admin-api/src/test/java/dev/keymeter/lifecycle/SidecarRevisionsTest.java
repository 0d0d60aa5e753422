package dev.keymeter.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The table of applied revisions: bounded by sidecar count; silent sidecars forgotten and make room. */
class SidecarRevisionsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));

    @Test
    void record_pastTheCap_isRefused_untilASidecarFallsSilent() {
        SidecarRevisions table = new SidecarRevisions(clock, 2);
        assertTrue(table.record("sc-1", 5));
        clock.advance(Duration.ofSeconds(30));
        assertTrue(table.record("sc-2", 5));
        assertFalse(table.record("sc-3", 5), "a third live sidecar does not fit");
        assertTrue(table.record("sc-1", 6), "a known sidecar always updates");
        clock.advance(Duration.ofSeconds(61));
        assertTrue(table.record("sc-3", 7), "sc-1 and sc-2 are silent past a minute: room");
        assertEquals(1, table.live().size());
        assertEquals(7, table.live().get(0).revision());
    }

    @Test
    void live_listsByIdWithLatestRevision() {
        SidecarRevisions table = new SidecarRevisions(clock, 10);
        table.record("sc-b", 3);
        table.record("sc-a", 4);
        table.record("sc-b", 9);
        assertEquals("sc-a", table.live().get(0).sidecarId());
        assertEquals(9, table.live().get(1).revision());
        assertEquals(clock.instant(), table.live().get(1).reportedAt());
    }
}
