package dev.keymeter.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Open, take, expire and tombstones; ids never repeat across tables (processes); the capacity. */
class ReservationsTest {

    private static Reservation r(String key, long expiresAt) {
        return new Reservation(key, 0, 100, 0, 50, 0, "m", expiresAt);
    }

    @Test
    void aReservationIsTakenOrExpiredExactlyOnce() {
        Reservations table = new Reservations(1_000, 10);
        Reservation a = r("key_a", 1_000);
        String id = table.open(a);
        assertEquals(1, table.inFlight("key_a"));
        assertSame(a, table.take(id, "key_a"));
        assertNull(table.take(id, "key_a"), "taken once");
        assertEquals(0, table.inFlight("key_a"));
        assertEquals(List.of(), table.expire(5_000), "a taken reservation never expires");

        String late = table.open(r("key_a", 2_000));
        assertEquals(List.of(), table.expire(1_999));
        assertEquals(1, table.expire(2_000).size());
        assertNull(table.take(late, "key_a"), "expired: no longer open");
        assertEquals(100, table.takeExpired(late, "key_a").tokens(), "kept as a tombstone for a late report");
        assertNull(table.takeExpired(late, "key_a"));
    }

    @Test
    void take_otherKeysReservation_leavesItForItsOwnKey() {
        Reservations table = new Reservations(1_000, 10);
        Reservation victim = r("key_victim", 1_000);
        String id = table.open(victim);
        assertTrue(table.belongsToAnotherKey(id, "key_attacker"));
        assertNull(table.take(id, "key_attacker"), "another key's report does not take it");
        assertEquals(1, table.inFlight("key_victim"));
        assertSame(victim, table.take(id, "key_victim"));

        String late = table.open(r("key_victim", 2_000));
        table.expire(2_000);
        assertTrue(table.belongsToAnotherKey(late, "key_attacker"), "tombstones too");
        assertNull(table.takeExpired(late, "key_attacker"));
        assertEquals(100, table.takeExpired(late, "key_victim").tokens());
        assertFalse(table.belongsToAnotherKey("nope", "key_attacker"));
    }

    @Test
    void open_idsOfAnotherTable_neverMatch() {
        Reservations one = new Reservations(1_000, 2);
        Reservations other = new Reservations(1_000, 2);
        String id = one.open(r("k", 1));
        assertNotEquals(id, other.open(r("k", 1)), "a new process never reuses an old id");
        assertNull(other.take(id, "k"));
        assertNull(one.take(id + "x", "k"), "not an id of this table");
        assertNull(one.take("zzzzzzzzzzzzzzzzzzzz", "k"));
    }

    @Test
    void open_fullTable_evictsTheOldestToTheTombstonesAndTheNextExpire() {
        Reservations table = new Reservations(1_000_000, 2, 2);
        String first = table.open(r("k", 1_000_000));
        String second = table.open(r("k", 1_000_000));
        String third = table.open(r("k", 1_000_000));
        assertEquals(2, table.size());
        assertEquals(1, table.evictions());
        assertEquals(2, table.inFlight("k"));
        assertNull(table.take(first, "k"), "evicted: no longer open");
        assertEquals(1, table.expire(0).size(), "the evicted one is handed over for charging in full");
        assertEquals(100, table.takeExpired(first, "k").tokens(), "and kept as a tombstone for a late report");
        assertEquals(100, table.take(second, "k").tokens());
        assertEquals(100, table.take(third, "k").tokens());
    }

    @Test
    void open_manyWithoutUsage_keepsBothTablesUnderTheirBounds() {
        Reservations table = new Reservations(1_000, 100, 50);
        for (int i = 0; i < 100_000; i++) {
            table.open(r("k", 1_000 + i));
            assertTrue(table.size() <= 100 && table.tombstones() <= 50, "at " + i);
        }
        assertEquals(99_900, table.evictions());
        assertEquals(99_850, table.tombstonesDropped());
        assertEquals(99_900 + 100, table.expire(200_000).size(), "every evicted and expired one is charged");
        assertEquals(0, table.size());
        assertTrue(table.tombstones() <= 50);
    }
}
