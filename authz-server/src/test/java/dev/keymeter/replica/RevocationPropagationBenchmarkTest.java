package dev.keymeter.replica;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * How fast a revocation reaches a sidecar on loopback: 1,000 revocations alone, beside 8 threads
 * committing other changes, and through a second control plane on PostgreSQL. Prints grep-able lines
 * {@code propagation revocations=1000 p50_ms=… p99_ms=… max_ms=…} (and {@code _from_call_start}).
 *
 * <p>A measurement, run on purpose: {@code mvn verify} skips it unless {@code keymeter.benchmark} is
 * set; {@link RevocationPropagationTest} holds the functional claim. Run: {@code mvn -B -pl
 * authz-server -am test -Dtest=RevocationPropagationBenchmarkTest -Dkeymeter.benchmark=true
 * -Dsurefire.failIfNoSpecifiedTests=false}. Set {@code -Dpropagation.keys=N} for another count.
 */
@EnabledIfSystemProperty(named = "keymeter.benchmark", matches = "true",
        disabledReason = "a measurement: run it on purpose with -Dkeymeter.benchmark=true")
class RevocationPropagationBenchmarkTest {

    private static final int KEYS = Integer.getInteger("propagation.keys", 1_000);

    @TempDir
    Path dir;

    @Test
    void alone() throws Exception {
        System.out.println(RevocationPropagation.run(dir, KEYS, 0).summary("propagation"));
    }

    @Test
    void besideEightCommittingThreads() throws Exception {
        System.out.println(RevocationPropagation.run(dir, KEYS, 8).summary("propagation_under_contention"));
    }

    @Test
    void throughAnotherControlPlaneOnPostgres() throws Exception {
        System.out.println(RevocationPropagation.runThroughAnotherControlPlane(dir, KEYS)
                .summary("propagation_two_control_planes_postgresql"));
    }
}
