package dev.keymeter.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.ingest.IngestTokens;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.GetKeyUsageRequest;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.KeyUsage;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.ResetPeriod;
import dev.keymeter.proto.usage.v1.ReportRequest;
import dev.keymeter.proto.usage.v1.UsageServiceGrpc;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPRequestProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The usage ports of a real sidecar (Netty on 127.0.0.1, fed by a real control plane) demand a
 * credential: without one, or with a wrong one, Report and the access-log stream are UNAUTHENTICATED
 * and the key's counters do not move; with the ingest token the same usage is charged. A reservation
 * is settled only by a report naming its own key.
 */
class UsageCredentialTest extends SidecarProcesses {

    private static final String BODY = "{\"model\":\"gpt-4o\",\"max_tokens\":1000}";

    private void start() throws Exception {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp")).withPort(0));
        sidecar = Sidecar.start(SidecarConfig.defaults(dir.resolve("replica")).withPorts(0, 0)
                .withIngest(IngestTokens.of(INGEST_TOKEN)), controlPlane.inProcessChannel(), "");
        authz = ManagedChannelBuilder.forAddress("127.0.0.1", sidecar.port()).usePlaintext().build();
    }

    private CreateKeyResponse limitedKey(String name) throws InterruptedException {
        CreateKeyResponse key = admin().createKey(CreateKeyRequest.newBuilder().setName(name)
                .setKind(KeyKind.KEY_KIND_PROJECT).setProjectId("payments")
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setLimits(Limits.newBuilder().setTokenLimit(100_000).setResetPeriod(ResetPeriod.RESET_PERIOD_MONTHLY))
                .build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!allowed(key.getToken())) {
            assertTrue(System.nanoTime() < deadline, "key replicated in time");
            Thread.sleep(20);
        }
        return key;
    }

    /** A Check with no body: admitted without a reservation. */
    private boolean allowed(String token) {
        try {
            return AdminConnection.chatCheck(authz, token, "").getStatus().getCode() == 0;
        } catch (StatusRuntimeException notReady) {
            return false;
        }
    }

    private KeyUsage usage(String keyId) {
        sidecar.reportUsage();
        return admin().getKeyUsage(GetKeyUsageRequest.newBuilder().setKeyId(keyId).build());
    }

    private UsageServiceGrpc.UsageServiceBlockingStub reports(ClientInterceptor... credential) {
        return UsageServiceGrpc.newBlockingStub(authz).withInterceptors(credential)
                .withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    private static ReportRequest report(String requestId, String keyId, long tokens) {
        return ReportRequest.newBuilder().setRequestId(requestId).setKeyId(keyId).setInputTokens(tokens)
                .setCostMicroUsd(0).build();
    }

    /** One Envoy-shaped access-log entry on its own stream; the stream's end status. */
    private Status accessLog(String keyId, long tokens, ClientInterceptor... credential) throws Exception {
        HTTPAccessLogEntry entry = HTTPAccessLogEntry.newBuilder()
                .setCommonProperties(AccessLogCommon.newBuilder().setMetadata(Metadata.newBuilder()
                        .putFilterMetadata("envoy.filters.http.ext_authz", Struct.newBuilder()
                                .putFields("key_id", Value.newBuilder().setStringValue(keyId).build()).build())))
                .setRequest(HTTPRequestProperties.newBuilder().setRequestId("log-" + System.nanoTime()))
                .setResponse(HTTPResponseProperties.newBuilder()
                        .putResponseHeaders("x-usage-input-tokens", Long.toString(tokens))
                        .putResponseHeaders("x-usage-cost-usd", "0"))
                .build();
        CompletableFuture<Status> end = new CompletableFuture<>();
        StreamObserver<StreamAccessLogsMessage> stream = AccessLogServiceGrpc.newStub(authz)
                .withInterceptors(credential).streamAccessLogs(new StreamObserver<>() {
                    @Override
                    public void onNext(StreamAccessLogsResponse value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        end.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        end.complete(Status.OK);
                    }
                });
        stream.onNext(StreamAccessLogsMessage.newBuilder()
                .setIdentifier(StreamAccessLogsMessage.Identifier.newBuilder().setLogName("keymeter"))
                .setHttpLogs(StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder().addLogEntry(entry)).build());
        stream.onCompleted();
        return end.get(10, TimeUnit.SECONDS);
    }

    private String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sidecar.metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void usagePorts_withoutCredential_areUnauthenticatedAndChargeNothing_withTokenCharge() throws Exception {
        start();
        admin().createProject(CreateProjectRequest.newBuilder().setProjectId("payments").build());
        String keyId = limitedKey("svc").getKey().getId();
        KeyUsage before = usage(keyId);
        assertEquals(0, before.getTokens().getUsed());

        StatusRuntimeException none = assertThrows(StatusRuntimeException.class,
                () -> reports().report(report("req-1", keyId, 500)));
        assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
        assertTrue(none.getStatus().getDescription().contains(IngestTokens.HEADER), none.getStatus().toString());
        String wrongToken = IngestTokens.newToken();
        StatusRuntimeException wrong = assertThrows(StatusRuntimeException.class,
                () -> reports(ingestToken(wrongToken)).report(report("req-1", keyId, 500)));
        assertEquals(Status.Code.UNAUTHENTICATED, wrong.getStatus().getCode());
        assertFalse(wrong.getStatus().getDescription().contains(wrongToken), "a token is never echoed");
        assertEquals(Status.Code.UNAUTHENTICATED, accessLog(keyId, 700).getCode());
        assertEquals(Status.Code.UNAUTHENTICATED, accessLog(keyId, 700, ingestToken(wrongToken)).getCode());

        KeyUsage refused = usage(keyId);
        assertEquals(0, refused.getTokens().getUsed(), "nothing charged without a credential");
        assertEquals(before.getTokens().getRemaining(), refused.getTokens().getRemaining());
        String metrics = scrape();
        assertTrue(metrics.contains("keymeter_usage_rejected_total{reason=\"unauthenticated\",source=\"report\"} 2.0"),
                metrics);
        assertTrue(metrics.contains(
                "keymeter_usage_rejected_total{reason=\"unauthenticated\",source=\"access_log\"} 2.0"), metrics);
        assertTrue(metrics.contains("keymeter_usage_entries_total{outcome=\"received\",source=\"report\"} 0.0"),
                "a refused call is never read");
        assertFalse(metrics.contains(INGEST_TOKEN) || metrics.contains(wrongToken));

        // The same calls with the ingest token: charged. The refused request id did not become a duplicate.
        assertTrue(reports(ingestToken()).report(report("req-1", keyId, 500)).getCounted());
        assertEquals(Status.Code.OK, accessLog(keyId, 700, ingestToken()).getCode());
        assertEquals(1_200, usage(keyId).getTokens().getUsed());
    }

    @Test
    void report_namingAnotherKeysReservation_isRefused_andTheVictimIsChargedOnce() throws Exception {
        start();
        admin().createProject(CreateProjectRequest.newBuilder().setProjectId("payments").build());
        CreateKeyResponse victim = limitedKey("victim");
        String victimId = victim.getKey().getId();
        String attackerId = limitedKey("attacker").getKey().getId();
        String reservation = AdminConnection.chatCheck(authz, victim.getToken(), BODY).getDynamicMetadata()
                .getFieldsMap().get("reservation_id").getStringValue();
        assertFalse(reservation.isEmpty());
        KeyUsage reserved = usage(victimId);
        assertEquals(1, reserved.getReservationsInFlight());
        assertTrue(reserved.getTokensReserved() >= 1_000);

        // The attacker names the victim's reservation (and the victim's request id) with its own key.
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> reports(ingestToken())
                .report(report("victim-req", attackerId, 1).toBuilder().setReservationId(reservation).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().startsWith("reservation_id:"), refused.getStatus().toString());
        KeyUsage untouched = usage(victimId);
        assertEquals(1, untouched.getReservationsInFlight(), "the victim's reservation is still open");
        assertEquals(reserved.getTokensReserved(), untouched.getTokensReserved());
        assertEquals(0, usage(attackerId).getTokens().getUsed());

        // The victim's own report settles it: charged the actual usage once, the estimate released.
        assertTrue(reports(ingestToken()).report(report("victim-req", victimId, 300).toBuilder()
                .setReservationId(reservation).build()).getCounted());
        KeyUsage settled = usage(victimId);
        assertEquals(300, settled.getTokens().getUsed());
        assertEquals(0, settled.getTokensReserved());
        assertEquals(0, settled.getReservationsInFlight());
        assertNotNull(settled.getTokens());
    }
}
