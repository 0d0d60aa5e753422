package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.admin.MutableClock;
import dev.keymeter.lifecycle.UsageBoard;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keys usage KEY}: the history in JSON, one summary line in the table. */
class KeyUsageHistoryCliTest {

    private static final Pattern KEY_ID = Pattern.compile("key_[0-9A-Za-z]{20}");

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T09:50:00Z"));
    ControlPlane controlPlane;
    String adminKey;
    String keyId;

    @BeforeEach
    void start() throws Exception {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir).withPort(0).withClock(clock));
        adminKey = controlPlane.bootstrapKey().orElseThrow().token();
        CliRun.against(controlPlane, adminKey, new ProjectsCommand(), "create", "payments");
        Matcher m = KEY_ID.matcher(CliRun.against(controlPlane, adminKey, new KeysCommand(), "create",
                "--project", "payments", "--name", "k").out());
        assertTrue(m.find());
        keyId = m.group();
        // As ReportUsage records them: a baseline, then 12 requests, 3,400 tokens and $1.25 over two buckets.
        report(0, 0, 0);
        clock.advance(Duration.ofMinutes(5));
        report(10, 3_000, 1_000_000);
        clock.advance(Duration.ofMinutes(10));
        report(12, 3_400, 1_250_000);
    }

    private void report(long requests, long tokens, long cost) {
        controlPlane.rules().usageBoard().record(keyId, "sidecar-1",
                new UsageBoard.Figures(null, null, tokens, 0, cost, 0, 0, 0, requests, clock.instant()));
    }

    @AfterEach
    void stop() {
        controlPlane.close();
    }

    @Test
    void keysUsage_json_holdsTheHistoryOldestFirst() {
        CliRun run = CliRun.against(controlPlane, adminKey, new KeysCommand(), "usage", keyId, "--output", "json");

        assertEquals(0, run.exitCode(), run.err());
        JsonArray history = JsonParser.parseString(run.out()).getAsJsonObject().getAsJsonArray("history");
        assertEquals(96, history.size());
        JsonObject previous = history.get(94).getAsJsonObject();
        JsonObject current = history.get(95).getAsJsonObject();
        assertEquals("2026-12-07T09:45:00Z", previous.get("startTime").getAsString());
        assertEquals("10", previous.get("requests").getAsString());
        assertEquals("3000", previous.get("tokens").getAsString());
        assertEquals("2026-12-07T10:00:00Z", current.get("startTime").getAsString());
        assertEquals("250000", current.get("costMicroUsd").getAsString());
    }

    @Test
    void keysUsage_table_addsOneLineSummingTheLast24Hours() {
        CliRun run = CliRun.against(controlPlane, adminKey, new KeysCommand(), "usage", keyId);

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().matches("(?s).*Last 24h\\s+12 requests, 3400 tokens, \\$1\\.25\\n.*"), run.out());
        assertEquals(1, run.out().split("Last 24h", -1).length - 1, "one line, not a bucket per line");
    }
}
