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
    void idsDifferBetweenTablesAndTheTableIsBounded() {
        Reservations one = new Reservations(1_000, 2);
        Reservations other = new Reservations(1_000, 2);
        assertNotEquals(one.open(r("k", 1)), other.open(r("k", 1)), "a new process never reuses an old id");
        one.open(r("k", 1));
        assertNull(one.open(r("k", 1)), "full: Check admits without reserving");
    }
}
