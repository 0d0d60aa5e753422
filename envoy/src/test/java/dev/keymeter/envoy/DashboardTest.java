package dev.keymeter.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.keymeter.check.DenialReason;
import dev.keymeter.metrics.CheckMetrics;
import dev.keymeter.metrics.UsageMetrics;
import dev.keymeter.quota.HeapCounterStore;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.PriceTable;
import dev.keymeter.usage.Reservations;
import java.time.Clock;
import dev.keymeter.metrics.JvmMetrics;
import dev.keymeter.metrics.ReplicationMetrics;
import dev.keymeter.replica.ChronicleKeyReplica;
import dev.keymeter.replica.ReplicationClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard parses, uses the datasource variable, and names only metrics keymeter
 * exports: the names come from a real scrape of keymeter's own meters (CheckMetrics, UsageMetrics,
 * JvmMetrics and ReplicationMetrics over a real Chronicle replica and a client that never connects).
 */
class DashboardTest {

    private static final String FILE = "grafana/keymeter-dashboard.json";
    private static final Pattern METRIC = Pattern.compile("\\b(?:keymeter|jvm)_[a-z_]+");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    @TempDir
    Path dir;

    @Test
    void dashboard_parses_withDatasourceVariableAndPanels() {
        JsonObject dashboard = dashboard();

        assertEquals(39, dashboard.get("schemaVersion").getAsInt());
        assertTrue(dashboard.getAsJsonObject("templating").getAsJsonArray("list").toString()
                .contains("\"name\":\"datasource\""));
        assertTrue(dashboard.getAsJsonArray("panels").size() >= 8);
        for (JsonElement panel : dashboard.getAsJsonArray("panels")) {
            JsonObject p = panel.getAsJsonObject();
            assertEquals("${datasource}", p.getAsJsonObject("datasource").get("uid").getAsString(),
                    p.get("title").getAsString());
            assertFalse(p.getAsJsonArray("targets").isEmpty(), p.get("title").getAsString());
        }
    }

    @Test
    void dashboard_everyMetricName_isExportedByKeymeter() throws IOException {
        Set<String> exported = scrapedNames();
        List<String> strings = new ArrayList<>();
        collectStrings(dashboard(), strings);

        Set<String> used = new TreeSet<>();
        for (String s : strings) {
            Matcher m = METRIC.matcher(s);
            while (m.find()) {
                used.add(m.group());
            }
        }
        assertTrue(used.contains("keymeter_check_duration_seconds_bucket"), used.toString());
        assertTrue(used.contains("keymeter_replica_capacity_digests"), used.toString());
        for (String perKey : List.of("keymeter_key_cost_usd_total", "keymeter_key_tokens_total",
                "keymeter_key_rate_limited_total", "keymeter_key_budget_remaining_usd", "keymeter_usage_entries_total")) {
            assertTrue(used.contains(perKey), perKey + " in " + used);
        }
        Set<String> unknown = new TreeSet<>(used);
        unknown.removeAll(exported);
        assertEquals(Set.of(), unknown, "not exported; exported: " + exported);
    }

    /** Sample names of a real scrape, plus each histogram's and counter's base name. */
    private Set<String> scrapedNames() throws IOException {
        Set<String> names = new TreeSet<>();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (JvmMetrics jvm = new JvmMetrics();
                ChronicleKeyReplica replica = ChronicleKeyReplica.open(dir.resolve("replica"), 1_000)) {
            CheckMetrics checks = new CheckMetrics(registry);
            checks.recordLatencyNanos(1_000);
            checks.denied(DenialReason.COST_LIMIT, "key_dashboard");
            Budgets budgets = new Budgets(new HeapCounterStore(10), PriceTable.empty(), new Reservations(60_000, 10));
            UsageMetrics usage = new UsageMetrics(registry, 10, budgets, replica, Clock.systemUTC());
            // A key with cost and token limits: only such keys get the "remaining" gauges.
            replica.beginSnapshot(1);
            replica.endSnapshot(1);
            replica.upsert(dev.keymeter.proto.replication.v1.KeyRecord.newBuilder().setKeyId("key_dashboard")
                    .setKind(dev.keymeter.proto.admin.v1.KeyKind.KEY_KIND_PROJECT)
                    .setOwnerType(dev.keymeter.proto.admin.v1.OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                    .setProjectId("proj_1")
                    .setPermissions(dev.keymeter.proto.admin.v1.Permissions.newBuilder()
                            .setPreset(dev.keymeter.proto.admin.v1.PermissionPreset.PERMISSION_PRESET_ALL))
                    .addSecrets(dev.keymeter.proto.replication.v1.SecretDigest.newBuilder().setSha256(
                            com.google.protobuf.ByteString.copyFrom(new byte[32])))
                    .setStatus(dev.keymeter.proto.admin.v1.KeyStatus.KEY_STATUS_ACTIVE).setRevision(1)
                    .setLimits(dev.keymeter.proto.admin.v1.Limits.newBuilder().setCostLimitMicroUsd(1_000_000)
                            .setTokenLimit(1_000))
                    .build());
            usage.charged("key_dashboard", 1, 1, 1);
            usage.reservationExpired("key_dashboard", 1, 1);
            jvm.bindTo(registry);
            // Port 1 on loopback: nothing listens, and the client is never started anyway.
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", 1).usePlaintext().build();
            try (ReplicationClient client = new ReplicationClient(channel, "kma_unused", replica, "envoy-test");
                    ReplicationMetrics replication = new ReplicationMetrics(registry, client, replica)) {
                for (String line : registry.scrape().split("\n")) {
                    Matcher m = SAMPLE.matcher(line);
                    if (!line.startsWith("#") && m.find()) {
                        names.add(m.group(1));
                        names.add(m.group(1).replaceFirst("_(bucket|count|sum|max)$", ""));
                    }
                }
            } finally {
                channel.shutdownNow();
            }
        } finally {
            registry.close();
        }
        assertTrue(names.contains("keymeter_checks_total"), names.toString());
        assertTrue(names.contains("keymeter_replication_lag_revisions"), names.toString());
        return names;
    }

    private static JsonObject dashboard() {
        return JsonParser.parseString(EnvoyConfigs.read(FILE)).getAsJsonObject();
    }

    private static void collectStrings(JsonElement e, List<String> out) {
        if (e.isJsonObject()) {
            for (Map.Entry<String, JsonElement> entry : e.getAsJsonObject().entrySet()) {
                collectStrings(entry.getValue(), out);
            }
        } else if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(x -> collectStrings(x, out));
        } else if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            out.add(e.getAsString());
        }
    }
}
