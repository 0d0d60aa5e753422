package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI held to the conventions of kubectl and gh, one test per finding, through the real commands
 * against a real control plane (or a real server that is not one).
 */
class CliConventionsTest {

    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{20}");

    @TempDir
    Path dir;
    ControlPlane controlPlane;
    String adminKey;

    @BeforeEach
    void start() throws Exception {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir).withPort(0));
        adminKey = controlPlane.bootstrapKey().orElseThrow().token();
    }

    @AfterEach
    void stop() {
        controlPlane.close();
    }

    private CliRun cli(Object command, String... args) {
        return at("127.0.0.1:" + controlPlane.port(), command, args);
    }

    private CliRun at(String addr, Object command, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--addr=" + addr);
        all.add("--admin-key=" + adminKey);
        all.add("--timeout=5s");
        return CliRun.run(command, all.toArray(String[]::new));
    }

    private static void assertOneLine(CliRun run) {
        assertEquals(1, run.err().lines().count(), "one line, no stack trace: " + run.err());
        assertFalse(run.err().contains("\tat ") || run.err().contains("Exception"), run.err());
    }

    @Test
    void addr_unresolvableHost_oneLineNamingTheHost_exit6() {
        CliRun run = at("no-such-host.invalid:9190", new KeysCommand(), "list");
        assertEquals(CliErrors.UNREACHABLE, run.exitCode(), run.err());
        assertOneLine(run);
        assertTrue(run.err().contains("unknown host 'no-such-host.invalid' (--addr)"), run.err());
    }

    @Test
    void addr_hostWithoutPort_dialsTheAdminApiDefaultPortNever80() {
        assertEquals("localhost:9190", AdminAddress.parse("localhost").target());
        assertEquals("[::1]:9190", AdminAddress.parse("[::1]").target());
        assertEquals("10.0.0.1:7000", AdminAddress.parse("10.0.0.1:7000").target());
        CliRun run = at("localhost", new KeysCommand(), "list");
        if (run.exitCode() != 0) { // nothing on 9190 here: the message names where it dialed
            assertEquals(CliErrors.UNREACHABLE, run.exitCode(), run.err());
            assertTrue(run.err().startsWith("error: cannot reach keymeter at localhost:9190:"), run.err());
        }
        assertFalse(run.err().contains(":80"), run.err());
    }

    @Test
    void addr_theSidecarsExtAuthzPort_hintsAtTheAdminApiPort() throws Exception {
        // What the ext_authz port serves to a client asking for the admin service: a gRPC server
        // without it (health, as the sidecar has).
        Server other = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(new HealthStatusManager().getHealthService()).build().start();
        try {
            CliRun run = at("127.0.0.1:" + other.getPort(), new KeysCommand(), "list");
            assertEquals(CliErrors.FAILURE, run.exitCode(), run.err());
            assertOneLine(run);
            assertTrue(run.err().contains("this looks like the sidecar's ext_authz port (default 9191); the admin API "
                    + "listens on port 9190"), run.err());
        } finally {
            other.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void addr_theMetricsPort_hintsAtTheAdminApiPort() throws Exception {
        HttpServer metrics = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        metrics.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        metrics.start();
        try {
            CliRun run = at("127.0.0.1:" + metrics.getAddress().getPort(), new KeysCommand(), "list");
            assertOneLine(run);
            assertTrue(run.err().contains("does not speak gRPC: this looks like an HTTP/1.1 port such as the sidecar's "
                    + "metrics port (default 9464); the admin API listens on port 9190"), run.err());
        } finally {
            metrics.stop(0);
        }
    }

    @Test
    void rpm_tooManyDigits_outOfRangeWithTheMaximum_exit2() {
        CliRun run = cli(new KeysCommand(), "create", "--project", "payments", "--name", "x",
                "--rpm", "99999999999999999999");
        assertEquals(CliErrors.USAGE, run.exitCode(), run.err());
        assertTrue(run.err().contains("'99999999999999999999' is out of range, maximum 4,294,967,294"), run.err());
        assertFalse(run.err().contains("not a whole number"), run.err());
    }

    @Test
    void serverRefusals_nameTheFlagsTheUserTyped() {
        assertEquals(0, cli(new ProjectsCommand(), "create", "payments").exitCode());
        CliRun created = cli(new KeysCommand(), "create", "--project", "payments", "--name", "bot");
        String keyId = first(created.out());
        CliRun grace = cli(new KeysCommand(), "rotate", keyId, "--grace", "8d");
        assertEquals(CliErrors.REFUSED, grace.exitCode(), grace.err());
        assertTrue(grace.err().contains("--grace: ") && grace.err().contains("was 8d"), grace.err());
        assertFalse(grace.err().contains("grace_period") || grace.err().contains("PT192H"), grace.err());
        CliRun expires = cli(new KeysCommand(), "update", keyId, "--expires", "2001-01-01");
        assertEquals(CliErrors.REFUSED, expires.exitCode(), expires.err());
        assertTrue(expires.err().contains("--expires: "), expires.err());
        assertFalse(expires.err().contains("expire_time"), expires.err());
    }

    @Test
    void help_subcommand_printsTheUsageOfTheNamedCommand() {
        CliRun run = CliRun.run(new KeysCommand(), "help", "create");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("Usage:") && run.out().contains("--project"), run.out());
        CliRun group = CliRun.run(new KeysCommand(), "help");
        assertEquals(0, group.exitCode(), group.err());
        assertTrue(group.out().contains("revoke"), group.out());
    }

    @Test
    void revoke_twice_saysAlreadyRevoked() {
        assertEquals(0, cli(new ProjectsCommand(), "create", "payments").exitCode());
        String keyId = first(cli(new KeysCommand(), "create", "--project", "payments", "--name", "bot").out());
        CliRun first = cli(new KeysCommand(), "revoke", keyId, "--yes");
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(first.out().startsWith("Revoked key " + keyId), first.out());
        CliRun again = cli(new KeysCommand(), "revoke", keyId, "--yes");
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.out().contains(keyId + " (bot) is already revoked"), again.out());
    }

    @Test
    void keysUsage_table_hasOneLimitColumn() {
        assertEquals(0, cli(new ProjectsCommand(), "create", "payments").exitCode());
        String keyId = first(cli(new KeysCommand(), "create", "--project", "payments", "--name", "bot",
                "--rpm", "60").out());
        CliRun usage = cli(new KeysCommand(), "usage", keyId);
        assertEquals(0, usage.exitCode(), usage.err());
        String header = usage.out().lines().findFirst().orElseThrow();
        assertEquals(List.of("Kind", "Used", "Reserved", "Limit", "Remaining"), List.of(header.trim().split("\\s+")));
    }

    @Test
    void outputJson_emptyList_hasItsArray() {
        assertEquals(0, cli(new ProjectsCommand(), "create", "payments").exitCode());
        CliRun run = cli(new MembersCommand(), "list", "--project", "payments", "--output", "json");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject json = JsonParser.parseString(run.out()).getAsJsonObject();
        assertTrue(json.has("members") && json.get("members").isJsonArray(), run.out());
        assertEquals(0, json.getAsJsonArray("members").size(), run.out());
    }

    private static String first(String text) {
        Matcher m = KEY_ID.matcher(text);
        assertTrue(m.find(), () -> "no key id in: " + text);
        return m.group();
    }
}
