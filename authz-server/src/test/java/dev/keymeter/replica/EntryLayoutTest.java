package dev.keymeter.replica;

import dev.keymeter.chronicle.KeyIdBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.LimitBound;
import dev.keymeter.keys.ResetPeriod;
import org.junit.jupiter.api.Test;

/** The record layout fails closed: bytes that are not a record it wrote never read as a key. */
class EntryLayoutTest {

    @Test
    void decode_zeroedRecord_isNotAKey() {
        assertFalse(EntryLayout.decode(new byte[EntryLayout.BYTES], new ReplicaEntry()));
    }

    @Test
    void decode_encodedEntry_roundTrips() {
        byte[] record = EntryLayout.encode(sample());
        ReplicaEntry read = new ReplicaEntry();

        assertTrue(EntryLayout.decode(record, read));

        assertEquals("key_1", read.keyId);
        assertEquals(KeyStatus.DISABLED, read.status);
        assertEquals(ResetPeriod.WEEKLY, read.resetPeriod);
        assertEquals(-1, read.tokenLimit);
        assertEquals(675, EntryLayout.BYTES);
    }

    @Test
    void decode_limitsAnOlderVersionStoredBeyondTheCounters_readAsTheBound() {
        ReplicaEntry entry = sample();
        entry.tokenLimit = 1_000_000_000_000_000L;
        entry.costLimitMicroUsd = Long.MAX_VALUE;
        entry.requestsPerMinute = -7;
        ReplicaEntry read = new ReplicaEntry();

        assertTrue(EntryLayout.decode(EntryLayout.encode(entry), read));

        assertEquals(LimitBound.TOKENS.max(), read.tokenLimit);
        assertEquals(LimitBound.COST_MICRO_USD.max(), read.costLimitMicroUsd);
        assertEquals(0, read.requestsPerMinute, "a negative limit other than none allows nothing");
    }

    @Test
    void decode_enumOutOfRange_isNotAKey() {
        byte[] record = EntryLayout.encode(sample());
        record[1] = (byte) (KeyStatus.values().length + 1);
        assertFalse(EntryLayout.decode(record, new ReplicaEntry()));
    }

    @Test
    void decode_resourceAtLevelThree_isNotAKey() {
        ReplicaEntry entry = sample();
        entry.levelBits = 3L << 10;
        assertFalse(EntryLayout.decode(EntryLayout.encode(entry), new ReplicaEntry()));
    }

    @Test
    void decode_textLengthPastItsField_isNotAKey() {
        byte[] record = EntryLayout.encode(sample());
        record[EntryLayout.KEY_ID_AT] = (byte) (KeyIdBytes.MAX_CHARS + 1);
        assertFalse(EntryLayout.decode(record, new ReplicaEntry()));
    }

    @Test
    void decode_ownerLengthPastItsField_isNotAKey() {
        ReplicaEntry entry = sample();
        entry.ownerUser = "\u6F22".repeat(128);
        byte[] record = EntryLayout.encode(entry);
        ReplicaEntry read = new ReplicaEntry();
        assertTrue(EntryLayout.decode(record, read));
        assertEquals(entry.ownerUser, read.ownerUser);

        int lengthAt = EntryLayout.OWNER_USER_AT;
        record[lengthAt] = (byte) 0x01; // 513, little-endian: one byte past the field
        record[lengthAt + 1] = (byte) 0x02;
        assertFalse(EntryLayout.decode(record, new ReplicaEntry()));
    }

    private static ReplicaEntry sample() {
        ReplicaEntry entry = new ReplicaEntry();
        entry.keyId = "key_1";
        entry.kind = KeyKind.PROJECT;
        entry.ownerType = OwnerType.USER;
        entry.status = KeyStatus.DISABLED;
        entry.preset = PermissionPreset.RESTRICTED;
        entry.resetPeriod = ResetPeriod.WEEKLY;
        return entry;
    }
}
