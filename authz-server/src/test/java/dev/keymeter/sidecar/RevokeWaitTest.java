package dev.keymeter.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.cli.CliSupport;
import dev.keymeter.cli.KeysCommand;
import dev.keymeter.cli.SidecarsCommand;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.GetReplicationStatusRequest;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.fleet.BudgetsStore;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code keymeter keys revoke --wait} against a real control plane and a real sidecar on loopback,
 * reporting every 100 ms: with the sidecar running it waits until the sidecar has applied the
 * revocation, which its Check then refuses; with the sidecar stopped (heard from within the last
 * minute) it gives up at {@code --wait-timeout}, exit 1, naming the sidecar.
 */
class RevokeWaitTest extends SidecarProcesses {

    private static final String SIDECAR_ID = "gateway-eu-1";
    private ManagedChannel toControlPlane;

    @AfterEach
    void closeChannel() {
        if (toControlPlane != null) {
            toControlPlane.shutdownNow();
        }
    }

    private record Run(int exitCode, String out, String err) {
    }

    private Run cli(Object group, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = CliSupport.configure(new CommandLine(group));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--addr";
        all[args.length + 1] = "127.0.0.1:" + controlPlane.port();
        all[args.length + 2] = "--admin-key";
        all[args.length + 3] = controlPlane.bootstrapKey().orElseThrow().token();
        int code = cl.execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    private CreateKeyResponse startWithKey() throws Exception {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp")).withPort(0));
        admin().createProject(CreateProjectRequest.newBuilder().setProjectId("payments").build());
        CreateKeyResponse key = admin().createKey(CreateKeyRequest.newBuilder().setName("svc")
                .setKind(KeyKind.KEY_KIND_PROJECT).setProjectId("payments")
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).build());
        String credential = admin().createKey(CreateKeyRequest.newBuilder().setName("gw")
                .setKind(KeyKind.KEY_KIND_SIDECAR).setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).build())
                .getToken();
        toControlPlane = ManagedChannelBuilder.forAddress("127.0.0.1", controlPlane.port()).usePlaintext().build();
        SidecarConfig config = SidecarConfig.defaults(dir.resolve("replica")).withPorts(0, 0)
                .withReportInterval(Duration.ofMillis(100))
                .withBudgets(BudgetSettings.defaults().withFleet(new FleetSettings(BudgetsStore.LOCAL,
                        FleetSettings.DEFAULT_SYNC_INTERVAL, SIDECAR_ID)));
        sidecar = Sidecar.start(config, toControlPlane, credential);
        authz = ManagedChannelBuilder.forAddress("127.0.0.1", sidecar.port()).usePlaintext().build();
        await("replica loaded", () -> sidecar.replica().isLoaded());
        await("key replicated", () -> allowed(key.getToken()));
        await("sidecar reported", () -> admin().getReplicationStatus(GetReplicationStatusRequest.getDefaultInstance())
                .getSidecarsCount() == 1);
        return key;
    }

    private boolean allowed(String token) {
        return AdminConnection.chatCheck(authz, token, "").getStatus().getCode() == 0;
    }

    @Test
    void revokeWait_sidecarRunning_reportsAppliedByAll_andCheckRefusesTheKey() throws Exception {
        CreateKeyResponse key = startWithKey();

        Run run = cli(new KeysCommand(), "revoke", key.getKey().getId(), "--yes", "--wait", "--wait-timeout", "20s");

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("revoked at revision "), run.out());
        assertTrue(run.out().endsWith("; applied by 1 of 1 sidecars\n"), run.out());
        assertFalse(allowed(key.getToken()), "the sidecar refuses the key as soon as the wait ends");

        Run again = cli(new KeysCommand(), "revoke", key.getKey().getId(), "--yes", "--wait", "--output", "json");
        assertEquals(0, again.exitCode(), again.err());
        JsonObject json = JsonParser.parseString(again.out()).getAsJsonObject();
        assertTrue(json.get("complete").getAsBoolean(), again.out());
        assertEquals(1, json.get("applied").getAsInt());
        assertEquals(0, json.getAsJsonArray("notYet").size());
        assertEquals("KEY_STATUS_REVOKED", json.getAsJsonObject("key").get("status").getAsString());
        assertEquals(json.getAsJsonObject("key").get("revision").getAsString(), json.get("revision").getAsString(),
                "revoking again answers the revocation's revision");

        Run status = cli(new SidecarsCommand(), "status");
        assertEquals(0, status.exitCode(), status.err());
        assertTrue(status.out().contains(SIDECAR_ID), status.out());
    }

    @Test
    void revokeWait_sidecarStopped_timesOutNamingIt_exit1() throws Exception {
        CreateKeyResponse key = startWithKey();
        sidecar.close();
        sidecar = null;

        Run run = cli(new KeysCommand(), "revoke", key.getKey().getId(), "--yes", "--wait", "--wait-timeout", "1s");

        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().endsWith("; applied by 0 of 1 sidecars after 1s; not yet: " + SIDECAR_ID + "\n"),
                run.out());

        Run json = cli(new SidecarsCommand(), "status", "--output", "json");
        assertEquals(0, json.exitCode(), json.err());
        assertTrue(json.out().contains("\"sidecarId\": \"" + SIDECAR_ID + "\""), json.out());
    }

    /** Bounded wait for asynchronous replication and reports; fails the test after 30 s. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
