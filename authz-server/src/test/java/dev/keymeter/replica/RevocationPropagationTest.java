package dev.keymeter.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every revocation reaches the sidecar's Check: alone, while other commits queue in front of it, and
 * through a second control plane on PostgreSQL. A run fails when Check still allows a revoked key 30 s
 * after RevokeKey returned. How fast it arrives is {@link RevocationPropagationBenchmarkTest}'s question,
 * not this one's: nothing here is timed.
 */
class RevocationPropagationTest {

    private static final int KEYS = 25;

    @TempDir
    Path dir;

    @Test
    void revokeKey_eachOfTwentyFiveKeys_reachesCheck() throws Exception {
        assertEquals(KEYS, RevocationPropagation.run(dir, KEYS, 0).fromReturn().length);
    }

    @Test
    void revokeKey_whileEightThreadsCommitOtherChanges_reachesCheck() throws Exception {
        assertEquals(KEYS, RevocationPropagation.run(dir, KEYS, 8).fromReturn().length);
    }

    @Test
    void revokeKey_throughAnotherControlPlaneOnPostgres_reachesCheck() throws Exception {
        assertEquals(KEYS, RevocationPropagation.runThroughAnotherControlPlane(dir, KEYS).fromReturn().length);
    }
}
