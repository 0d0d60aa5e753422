package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.usage.PriceTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The budget and metrics flags as the process commands parse them: defaults, values, errors naming the flag. */
class ProcessOptionsTest {

    @TempDir
    Path dir;

    private static Settings parse(String... args) {
        return CommandLine.populateCommand(new ProcessOptions(), args).settings();
    }

    @Test
    void defaults() {
        Settings s = parse();
        assertEquals(100_000, s.budgets().counterCapacity());
        assertEquals(Duration.ofMinutes(10), s.budgets().reservationTtl());
        assertEquals(PriceTable.UnpricedPolicy.REFUSE, s.budgets().prices().policy());
        assertEquals(0, s.budgets().prices().size());
        assertEquals(10_000, s.sidecar().metricsKeySeries());
        assertEquals(s.sidecar().replicaDir().resolveSibling("counters"), s.sidecar().countersDir());
        assertEquals(s.sidecar().replicaDir().resolveSibling("request-ids"), s.sidecar().requestIdsDir());
        assertEquals(dev.keymeter.sidecar.SidecarBounds.defaults(), s.sidecar().bounds());
        assertEquals(1_000_000, s.sidecar().bounds().maxReservations());
        assertEquals(Duration.ofHours(1), s.sidecar().bounds().requestIdRetention());
        assertEquals(Duration.ZERO, s.sidecar().bounds().maxReplicaStaleness(), "off: last known good serves");
        assertEquals(dev.keymeter.lifecycle.UsageBoard.Bounds.DEFAULTS, s.controlPlane().usageBoard());
    }

    @Test
    void consoleAddr_default_isLoopback9193() {
        Settings s = parse();
        assertEquals(new HostPort("127.0.0.1", 9193), s.consoleAddress());
        assertEquals(new java.net.InetSocketAddress("127.0.0.1", 9193), s.controlPlane().consoleAddress());
    }

    @Test
    void consoleAddr_off_disablesTheListener() {
        assertEquals(null, parse("--console-addr", "off").controlPlane().consoleAddress());
        assertEquals(new HostPort("::1", 0), parse("--console-addr", "[::1]:0").consoleAddress());
    }

    @Test
    void consoleAddr_bad_isRefusedNamingTheFlag() {
        for (String bad : new String[] {"9193", "localhost:http", "127.0.0.1:70000", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> parse("--console-addr", bad));
            assertTrue(e.getMessage().contains("--console-addr"), e.getMessage());
        }
    }

    @Test
    void boundsReachTheSidecar() {
        Settings s = parse("--max-reservations", "10", "--max-reservation-tombstones", "20",
                "--request-id-capacity", "30", "--request-id-retention", "5m", "--max-replica-staleness", "2m");
        assertEquals(new dev.keymeter.sidecar.SidecarBounds(10, 20, 30, Duration.ofMinutes(5), Duration.ofMinutes(2)),
                s.sidecar().bounds());
        assertEquals(new dev.keymeter.lifecycle.UsageBoard.Bounds(7, 70, 700), parse("--usage-board-max-sidecars", "7",
                "--usage-board-max-entries", "70", "--usage-history-max-keys", "700").controlPlane().usageBoard());
    }

    @Test
    void valuesReachTheSidecar() throws Exception {
        Path prices = dir.resolve("prices.json");
        Files.writeString(prices, "{\"models\": {\"m\": {\"input_usd_per_million\": 1, \"output_usd_per_million\": 2}}}");
        Settings s = parse("--quota-capacity", "500", "--reservation-ttl", "30s", "--prices", prices.toString(),
                "--metrics-key-series", "0");
        assertEquals(500, s.sidecar().budgets().counterCapacity());
        assertEquals(Duration.ofSeconds(30), s.sidecar().budgets().reservationTtl());
        assertEquals(3, s.sidecar().budgets().prices().costMicroUsd("m", 1, 1));
        assertEquals(0, s.sidecar().metricsKeySeries());
    }

    @Test
    void badValuesNameTheFlag() throws Exception {
        Path prices = dir.resolve("bad.json");
        Files.writeString(prices, "{\"models\": {\"m\": {\"input_usd_per_million\": -1, \"output_usd_per_million\": 2}}}");
        assertMessage("--prices", () -> parse("--prices", prices.toString()));
        assertMessage("models[\"m\"]", () -> parse("--prices", prices.toString()));
        assertMessage("--prices: cannot read", () -> parse("--prices", dir.resolve("missing.json").toString()));
        assertMessage("--quota-capacity", () -> parse("--quota-capacity", "0"));
        assertMessage("--reservation-ttl", () -> parse("--reservation-ttl", "500ms"));
        assertMessage("--metrics-key-series", () -> parse("--metrics-key-series", "-1").sidecar());
        assertMessage("--max-reservations", () -> parse("--max-reservations", "0"));
        assertMessage("--max-reservation-tombstones", () -> parse("--max-reservation-tombstones", "0"));
        assertMessage("--request-id-capacity", () -> parse("--request-id-capacity", "1"));
        assertMessage("--request-id-retention", () -> parse("--request-id-retention", "8d"));
        assertMessage("--max-replica-staleness", () -> parse("--max-replica-staleness", "500ms"));
        assertMessage("--usage-board-max-entries", () -> parse("--usage-board-max-entries", "0"));
        assertMessage("--usage-history-max-keys", () -> parse("--usage-history-max-keys", "0"));
    }

    @Test
    void controlPlaneBounds_defaultsAndValuesReachTheControlPlane() {
        var defaults = parse().controlPlane();
        assertEquals(256, defaults.replication().maxWatchStreams());
        assertEquals(Duration.ofSeconds(30), defaults.replication().watchSendTimeout());
        assertEquals(8L << 20, defaults.diskReserveBytes());
        assertEquals(Duration.ofMinutes(1), defaults.refusalAuditInterval());

        var set = parse("--max-watch-streams", "1000", "--watch-send-timeout", "5s", "--disk-reserve", "512KiB",
                "--auth-failure-audit-interval", "10m").controlPlane();
        assertEquals(1000, set.replication().maxWatchStreams());
        assertEquals(Duration.ofSeconds(5), set.replication().watchSendTimeout());
        assertEquals(512L << 10, set.diskReserveBytes());
        assertEquals(Duration.ofMinutes(10), set.refusalAuditInterval());
        assertEquals(0, parse("--disk-reserve", "0").controlPlane().diskReserveBytes());
    }

    @Test
    void controlPlaneBounds_badValuesNameTheFlag() {
        assertMessage("--max-watch-streams", () -> parse("--max-watch-streams", "0"));
        assertMessage("--watch-send-timeout", () -> parse("--watch-send-timeout", "2h"));
        assertMessage("--disk-reserve", () -> parse("--disk-reserve", "8 bananas"));
        assertMessage("--disk-reserve", () -> parse("--disk-reserve", "2GiB"));
        assertMessage("--auth-failure-audit-interval", () -> parse("--auth-failure-audit-interval", "10ms"));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void warmup_onByDefault_offWithNoWarmup() {
        assertEquals(dev.keymeter.sidecar.WarmUpSettings.DEFAULT, parse().sidecar().warmUp());
        assertEquals(dev.keymeter.sidecar.WarmUpSettings.DEFAULT, parse("--warmup").sidecar().warmUp());
        assertEquals(dev.keymeter.sidecar.WarmUpSettings.OFF, parse("--no-warmup").sidecar().warmUp());
    }
}
