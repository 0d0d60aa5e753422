package dev.keymeter.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        assertSame(a, table.take(id));
        assertNull(table.take(id), "taken once");
        assertEquals(0, table.inFlight("key_a"));
        assertEquals(List.of(), table.expire(5_000), "a taken reservation never expires");

        String late = table.open(r("key_a", 2_000));
        assertEquals(List.of(), table.expire(1_999));
        assertEquals(1, table.expire(2_000).size());
        assertNull(table.take(late), "expired: no longer open");
        assertEquals(100, table.takeExpired(late).tokens(), "kept as a tombstone for a late report");
        assertNull(table.takeExpired(late));
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
