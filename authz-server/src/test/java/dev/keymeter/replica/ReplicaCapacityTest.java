package dev.keymeter.replica;

import static dev.keymeter.replica.KeyRecordFixtures.current;
import static dev.keymeter.replica.KeyRecordFixtures.digest;
import static dev.keymeter.replica.KeyRecordFixtures.inGrace;
import static dev.keymeter.replica.KeyRecordFixtures.key;
import static dev.keymeter.replica.KeyRecordFixtures.keyId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replica refuses what it has no room for before writing, and keeps serving what it has. */
class ReplicaCapacityTest {

    @TempDir Path dir;
    private final ReplicaEntry entry = new ReplicaEntry();

    @Test
    void upsert_pastCapacity_throwsReplicaFullNamingTheSettingAndKeepsServing() throws IOException {
        try (ChronicleKeyReplica replica = ChronicleKeyReplica.open(dir, 10)) {
            for (int i = 0; i < 10; i++) {
                replica.upsert(key(keyId(i), i + 1, digest("t" + i)).build());
            }

            ReplicaFullException full = assertThrows(ReplicaFullException.class,
                    () -> replica.upsert(key(keyId(10), 11, digest("t10")).build()));

            assertTrue(full.getMessage().contains("--replica-capacity"), full.getMessage());
            assertTrue(full.getMessage().contains("holds 10 secret digests of 10 keys"), full.getMessage());
            assertTrue(full.getMessage().contains("sized for 10 digests"), full.getMessage());
            assertFalse(replica.lookup(digest("t10"), entry));
            for (int i = 0; i < 10; i++) {
                assertTrue(replica.lookup(digest("t" + i), entry), "key " + i);
            }
            assertEquals(10, replica.digestCount());
            assertEquals(10, replica.keyCount());
        }
    }

    @Test
    void upsert_rotationAtCapacity_fitsBecauseTheOldDigestLeavesFirst() throws IOException {
        try (ChronicleKeyReplica replica = ChronicleKeyReplica.open(dir, 2)) {
            replica.upsert(key(keyId(1), 1, digest("a")).build());
            replica.upsert(key(keyId(2), 2, digest("b")).build());

            replica.upsert(key(keyId(1), 3, digest("a-rotated")).build());

            assertTrue(replica.lookup(digest("a-rotated"), entry));
            assertFalse(replica.lookup(digest("a"), entry));
            assertEquals(2, replica.digestCount());
        }
    }

    @Test
    void upsert_graceDigestAtCapacity_isRefusedWholeAndTheKeyKeepsItsState() throws IOException {
        try (ChronicleKeyReplica replica = ChronicleKeyReplica.open(dir, 2)) {
            replica.upsert(key(keyId(1), 1, digest("a")).build());
            replica.upsert(key(keyId(2), 2, digest("b")).build());

            assertThrows(ReplicaFullException.class, () -> replica.upsert(key(keyId(1), 3)
                    .addSecrets(current(digest("a-new"))).addSecrets(inGrace(digest("a"), 99)).build()));

            assertTrue(replica.lookup(digest("a"), entry));
            assertEquals(1, entry.revision);
            assertEquals(ReplicaEntry.NEVER, entry.secretExpiresAtMillis);
            assertFalse(replica.lookup(digest("a-new"), entry));
            // The refused upsert left the key map alone too: deleting the key still finds its digest.
            replica.delete(keyId(1));
            assertFalse(replica.lookup(digest("a"), entry));
        }
    }

    @Test
    void upsert_twoHundredThousandDigests_fitTheirCapacity() throws IOException {
        int keys = 100_000;
        try (ChronicleKeyReplica replica = ChronicleKeyReplica.open(dir, 2 * keys)) {
            for (int i = 0; i < keys; i++) {
                replica.upsert(key(keyId(i), i + 1, digest("now" + i))
                        .addSecrets(inGrace(digest("old" + i), 1_000 + i)).build());
            }

            assertEquals(keys, replica.keyCount());
            assertEquals(2L * keys, replica.digestCount());
            for (int i = 0; i < keys; i += 997) {
                assertTrue(replica.lookup(digest("old" + i), entry), "key " + i);
                assertEquals(keyId(i), entry.keyId);
                assertEquals(1_000 + i, entry.secretExpiresAtMillis);
            }
            assertThrows(ReplicaFullException.class,
                    () -> replica.upsert(key(keyId(keys), 0, digest("one-too-many")).build()));
        }
    }
}
