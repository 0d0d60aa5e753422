package dev.keymeter.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.Resource;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReplicaEntryTest {

    private static final Resource FIRST = Resource.values()[0];
    private static final Resource LAST = Resource.values()[Resource.values().length - 1];

    @Test
    void levelOf_firstAndLastResource_readTheirOwnBitsOnly() {
        ReplicaEntry entry = restricted(Map.of(FIRST, AccessLevel.WRITE, LAST, AccessLevel.READ));

        assertEquals(AccessLevel.WRITE, entry.levelOf(FIRST));
        assertEquals(AccessLevel.READ, entry.levelOf(LAST));
        for (Resource r : Resource.values()) {
            if (r != FIRST && r != LAST) {
                assertEquals(AccessLevel.NONE, entry.levelOf(r), r.name());
            }
        }
    }

    @Test
    void packLevels_lastResource_fitsInTheLong() {
        assertEquals(31, Resource.values().length, "2 bits each: 31 resources use 62 of 64 bits");
        long bits = ReplicaEntry.packLevels(Map.of(LAST, AccessLevel.WRITE));
        assertEquals(2L << 60, bits);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42})
    void packLevels_seededRandomLevels_roundTripThroughLevelOf(long seed) {
        Random random = new Random(seed);
        Map<Resource, AccessLevel> levels = new EnumMap<>(Resource.class);
        for (Resource r : Resource.values()) {
            levels.put(r, AccessLevel.values()[random.nextInt(AccessLevel.values().length)]);
        }
        ReplicaEntry entry = restricted(levels);
        for (Resource r : Resource.values()) {
            assertEquals(levels.get(r), entry.levelOf(r), r.name());
        }
    }

    @Test
    void levelOf_presetsAllAndReadOnly_ignoreLevelBits() {
        ReplicaEntry entry = new ReplicaEntry();
        entry.levelBits = 0; // every resource NONE, were it restricted
        entry.preset = PermissionPreset.ALL;
        assertEquals(AccessLevel.WRITE, entry.levelOf(LAST));
        entry.preset = PermissionPreset.READ_ONLY;
        assertEquals(AccessLevel.READ, entry.levelOf(FIRST));
    }

    @Test
    void authenticatesAt_oneMilliBeforeKeyExpiry_isTrue_atExpiry_isFalse() {
        ReplicaEntry entry = active();
        entry.keyExpiresAtMillis = 1_000;
        assertTrue(entry.authenticatesAt(999));
        assertFalse(entry.authenticatesAt(1_000));
        assertFalse(entry.authenticatesAt(1_001));
    }

    @Test
    void authenticatesAt_oneMilliBeforeGraceEnd_isTrue_atGraceEnd_isFalse() {
        ReplicaEntry entry = active();
        entry.secretExpiresAtMillis = 5_000;
        assertTrue(entry.authenticatesAt(4_999));
        assertFalse(entry.authenticatesAt(5_000));
    }

    @Test
    void authenticatesAt_noExpiries_isTrueAtTheEndOfTime() {
        assertTrue(active().authenticatesAt(Long.MAX_VALUE - 1));
    }

    @ParameterizedTest
    @EnumSource(value = KeyStatus.class, names = {"DISABLED", "REVOKED"})
    void authenticatesAt_notActive_isFalse(KeyStatus status) {
        ReplicaEntry entry = active();
        entry.status = status;
        assertFalse(entry.authenticatesAt(0));
    }

    private static ReplicaEntry active() {
        ReplicaEntry entry = new ReplicaEntry();
        entry.status = KeyStatus.ACTIVE;
        return entry;
    }

    private static ReplicaEntry restricted(Map<Resource, AccessLevel> levels) {
        ReplicaEntry entry = new ReplicaEntry();
        entry.preset = PermissionPreset.RESTRICTED;
        entry.levelBits = ReplicaEntry.packLevels(levels);
        return entry;
    }
}
