package dev.keymeter.replica;

import static dev.keymeter.replica.KeyRecordFixtures.digest;
import static dev.keymeter.replica.KeyRecordFixtures.inGrace;
import static dev.keymeter.replica.KeyRecordFixtures.key;
import static dev.keymeter.replica.KeyRecordFixtures.keyId;

import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.replication.v1.KeyRecord;
import java.nio.file.Path;

/**
 * Test program run as a child JVM by {@link ReplicaKillRecoveryTest}: opens the replica in the
 * directory named by its first argument and applies revision after revision, forever, as the
 * replication client does (upsert, then markApplied), printing each revision once markApplied has
 * returned. It expects to be killed.
 *
 * <p>Revision {@code r} rewrites key {@code r % KEYS}: a new current digest, and on every fourth
 * revision the key's previous digest kept in grace until {@code r}; every numeric field holds
 * {@code r}. So the state after any revision follows from the revision alone ({@link #record}),
 * and a test can check every key against it.
 */
public final class ReplicaWriterProcess {

    static final int KEYS = 64;
    static final long CAPACITY = 1_000;

    private ReplicaWriterProcess() {}

    public static void main(String[] args) throws Exception {
        try (ChronicleKeyReplica replica = ChronicleKeyReplica.open(Path.of(args[0]), CAPACITY)) {
            long revision = replica.appliedRevision();
            System.out.println("start " + revision);
            System.out.flush();
            while (true) {
                revision++;
                replica.upsert(record(revision));
                replica.markApplied(revision);
                System.out.println(revision);
                System.out.flush();
            }
        }
    }

    /** The key that revision {@code r} writes. */
    static int keyOf(long revision) {
        return (int) (revision % KEYS);
    }

    /** The current digest that revision {@code r} gives its key. */
    static byte[] currentDigest(long revision) {
        return digest("key " + keyOf(revision) + " at " + revision);
    }

    /** True when revision {@code r} keeps the key's previous digest in grace. */
    static boolean keepsPrevious(long revision) {
        return revision % 4 == 0 && revision > KEYS;
    }

    static KeyRecord record(long revision) {
        KeyRecord.Builder record = key(keyId(keyOf(revision)), revision, currentDigest(revision))
                .setLimits(Limits.newBuilder().setCostLimitMicroUsd(revision).setTokenLimit(revision));
        if (keepsPrevious(revision)) {
            record.addSecrets(inGrace(currentDigest(revision - KEYS), revision));
        }
        return record.build();
    }
}
