package dev.keymeter.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.GetKeyUsageRequest;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.KeyUsage;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.ListAuditRecordsRequest;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.ResetKeyUsageRequest;
import dev.keymeter.proto.admin.v1.ResetPeriod;
import dev.keymeter.proto.usage.v1.ReportRequest;
import dev.keymeter.proto.usage.v1.ReportResponse;
import dev.keymeter.proto.usage.v1.UsageServiceGrpc;
import dev.keymeter.usage.PriceTableJson;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPRequestProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Budgets across the whole sidecar, against a real control plane: Check reserves from the body,
 * Envoy-shaped access-log entries settle the reservation over a real gRPC stream, {@code Report} is
 * idempotent, the admin usage overview shows what the sidecar reported, an audited usage reset
 * reaches the sidecar through replication and starts the key on fresh counters, counters survive a
 * sidecar restart, and the per-key meters appear on the real {@code /metrics} endpoint.
 */
class SidecarBudgetsTest extends SidecarProcesses {

    private static final String PRICES = """
            {"models": {"gpt-4o": {"input_usd_per_million": 2.5, "output_usd_per_million": 10}}}""";

    private void startSidecar() throws IOException {
        BudgetSettings budgets = new BudgetSettings(1_000, PriceTableJson.parse(PRICES),
                BudgetSettings.DEFAULT_RESERVATION_TTL, dev.keymeter.usage.UsageSettings.defaults());
        sidecar = Sidecar.start(SidecarConfig.defaults(dir.resolve("replica")).withPorts(0, 0).withBudgets(budgets)
                        .withIngest(dev.keymeter.ingest.IngestTokens.of(INGEST_TOKEN)),
                controlPlane.inProcessChannel(), "");
        authz = ManagedChannelBuilder.forAddress("127.0.0.1", sidecar.port()).usePlaintext().build();
    }

    private CreateKeyResponse limitedKey() {
        admin().createProject(CreateProjectRequest.newBuilder().setProjectId("payments").build());
        return admin().createKey(CreateKeyRequest.newBuilder().setName("svc").setKind(KeyKind.KEY_KIND_PROJECT)
                .setProjectId("payments").setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setLimits(Limits.newBuilder().setTokenLimit(10_000).setCostLimitMicroUsd(1_000_000)
                        .setRequestsPerMinute(1_000).setResetPeriod(ResetPeriod.RESET_PERIOD_MONTHLY))
                .build());
    }

    private CheckResponse check(String token, String body) {
        return AdminConnection.chatCheck(authz, token, body);
    }

    private static String header(CheckResponse r, String name) {
        return r.getOkResponse().getResponseHeadersToAddList().stream()
                .filter(h -> h.getHeader().getKey().equals(name)).map(h -> h.getHeader().getValue())
                .findFirst().orElse(null);
    }

    private static String metadata(CheckResponse r, String field) {
        Value v = r.getDynamicMetadata().getFieldsMap().get(field);
        return v == null ? null : v.getStringValue();
    }

    /** Sends one Envoy-shaped access-log stream with one entry and waits for the server to close it. */
    private void accessLog(String requestId, String keyId, String reservationId, int in, int out) throws Exception {
        Struct.Builder authzMetadata = Struct.newBuilder()
                .putFields("key_id", Value.newBuilder().setStringValue(keyId).build())
                .putFields("project_id", Value.newBuilder().setStringValue("payments").build())
                .putFields("model", Value.newBuilder().setStringValue("gpt-4o").build());
        if (reservationId != null) {
            authzMetadata.putFields("reservation_id", Value.newBuilder().setStringValue(reservationId).build());
        }
        HTTPAccessLogEntry entry = HTTPAccessLogEntry.newBuilder()
                .setCommonProperties(AccessLogCommon.newBuilder().setMetadata(Metadata.newBuilder()
                        .putFilterMetadata("envoy.filters.http.ext_authz", authzMetadata.build())))
                .setRequest(HTTPRequestProperties.newBuilder().setRequestId(requestId).setPath("/v1/chat/completions"))
                .setResponse(HTTPResponseProperties.newBuilder()
                        .putResponseHeaders("x-usage-input-tokens", Integer.toString(in))
                        .putResponseHeaders("x-usage-output-tokens", Integer.toString(out)))
                .build();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<StreamAccessLogsMessage> stream = AccessLogServiceGrpc.newStub(authz).withInterceptors(ingestToken())
                .streamAccessLogs(new StreamObserver<>() {
                    @Override
                    public void onNext(StreamAccessLogsResponse value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        stream.onNext(StreamAccessLogsMessage.newBuilder()
                .setIdentifier(StreamAccessLogsMessage.Identifier.newBuilder().setLogName("keymeter"))
                .setHttpLogs(StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder().addLogEntry(entry))
                .build());
        stream.onCompleted();
        assertTrue(done.await(10, TimeUnit.SECONDS), "access-log stream closed");
    }

    private KeyUsage usage(String keyId) {
        sidecar.reportUsage();
        return admin().getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(keyId).build());
    }

    private String scrape() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sidecar.metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void reserveSettleReportOverviewResetAndRestart() throws Exception {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp")).withPort(0));
        startSidecar();
        CreateKeyResponse key = limitedKey();
        String keyId = key.getKey().getId();
        String token = key.getToken();
        String body = "{\"model\":\"gpt-4o\",\"max_tokens\":1000}";
        await("key replicated", () -> {
            try {
                return check(token, body).getStatus().getCode() == 0;
            } catch (RuntimeException notReady) {
                return false;
            }
        });
        // The await's Check reserved 1000 + input; take one more and settle it through the access log.
        CheckResponse allowed = check(token, body);
        String reservation = metadata(allowed, "reservation_id");
        assertNotNull(reservation);
        assertEquals("gpt-4o", metadata(allowed, "model"));
        assertNotNull(header(allowed, "x-ratelimit-remaining-tokens"));
        assertNotNull(header(allowed, "x-keymeter-budget-remaining-usd"));

        accessLog("req-1", keyId, reservation, 1_000, 500);
        // 1000 × 2.5 + 500 × 10 = 7,500 micro-USD. The first Check's reservation is still in flight.
        KeyUsage u = usage(keyId);
        assertEquals(1_500, u.getTokens().getUsed());
        assertEquals(7_500, u.getCostMicroUsd().getUsed());
        assertEquals(1, u.getReservationsInFlight());
        assertTrue(u.getTokensReserved() > 1_000);
        assertEquals(10_000 - 1_500 - u.getTokensReserved(), u.getTokens().getRemaining());
        assertTrue(u.hasAsOfTime());
        assertEquals(1, u.getReportingSidecars());
        assertTrue(u.getRequestsPerMinute().getUsed() >= 2);

        // The gateway reports a request itself, twice: counted once.
        UsageServiceGrpc.UsageServiceBlockingStub report = UsageServiceGrpc.newBlockingStub(authz).withInterceptors(ingestToken())
                .withDeadlineAfter(5, TimeUnit.SECONDS);
        ReportRequest direct = ReportRequest.newBuilder().setRequestId("req-2").setKeyId(keyId)
                .setInputTokens(100).setOutputTokens(0).setCostMicroUsd(2_000).build();
        ReportResponse first = report.report(direct);
        assertTrue(first.getCounted());
        assertEquals(2_000, first.getChargedCostMicroUsd());
        assertFalse(report.report(direct).getCounted(), "a retried report is not counted twice");
        accessLog("req-2", keyId, null, 100, 0);
        assertEquals(1_600, usage(keyId).getTokens().getUsed(), "the access log of a reported request is a duplicate");

        String metrics = scrape();
        assertTrue(metrics.contains("keymeter_key_tokens_total{key_id=\"" + keyId + "\",type=\"input\"} 1100.0"), metrics);
        assertTrue(metrics.contains("keymeter_usage_entries_total{outcome=\"counted\",source=\"access_log\"} 1.0"));
        assertTrue(metrics.contains("keymeter_usage_entries_total{outcome=\"duplicate\",source=\"access_log\"} 1.0"));
        assertTrue(metrics.contains("keymeter_usage_entries_total{outcome=\"duplicate\",source=\"report\"} 1.0"));
        assertTrue(metrics.contains("keymeter_key_budget_remaining_usd{key_id=\"" + keyId + "\"}"));
        assertTrue(metrics.contains("keymeter_request_ids 2.0"), "req-1 and req-2, each once");
        assertTrue(metrics.contains("keymeter_request_ids_capacity 1000000.0"));
        assertTrue(metrics.contains("keymeter_reservations_capacity 1000000.0"));
        assertTrue(metrics.contains("keymeter_reservation_tombstones 0.0"));
        assertTrue(metrics.contains("keymeter_reservations_evicted_total 0.0"));

        // Usage survives a sidecar restart (the counters are persisted).
        authz.shutdownNow();
        sidecar.close();
        startSidecar();
        await("restarted sidecar serves", () -> {
            try {
                return check(token, "{}").getStatus().getCode() == 0;
            } catch (RuntimeException notReady) {
                return false;
            }
        });
        assertEquals(1_600, usage(keyId).getTokens().getUsed(), "counted before the restart, still counted");
        // The request ids are persisted too: a report retried across the restart counts once.
        UsageServiceGrpc.UsageServiceBlockingStub reportAfterRestart = UsageServiceGrpc.newBlockingStub(authz)
                .withInterceptors(ingestToken()).withDeadlineAfter(5, TimeUnit.SECONDS);
        assertFalse(reportAfterRestart.report(direct).getCounted(), "a report retried across a restart counts once");
        assertEquals(1_600, usage(keyId).getTokens().getUsed());

        // An audited reset reaches the sidecar and starts the key on fresh counters.
        KeyUsage reset = admin().resetKeyUsage(ResetKeyUsageRequest.newBuilder().setKeyId(keyId).build());
        assertTrue(reset.hasUsageResetTime());
        assertEquals(0, reset.getTokens().getUsed(), "figures of the old counters no longer count");
        await("the sidecar sees the reset", () -> "10000".equals(header(check(token, "{}"), "x-ratelimit-remaining-tokens")));
        assertEquals(0, usage(keyId).getTokens().getUsed());
        assertTrue(admin().listAuditRecords(ListAuditRecordsRequest.newBuilder().build()).getRecordsList().stream()
                .anyMatch(r -> r.getAction().equals("ResetKeyUsage") && r.getTarget().equals("key/" + keyId)));
    }
}
