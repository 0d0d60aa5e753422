package dev.keymeter.usage;

import static dev.keymeter.usage.Entries.KEY_A;
import static dev.keymeter.usage.Entries.KEY_B;
import static dev.keymeter.usage.Entries.KEY_UNKNOWN;
import static dev.keymeter.usage.Entries.entry;
import static dev.keymeter.usage.Entries.first;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.logging.LogLines;
import dev.keymeter.proto.usage.v1.ReportRequest;
import dev.keymeter.proto.usage.v1.ReportResponse;
import dev.keymeter.usage.UsageRecord.Source;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code UsageService/Report} over real gRPC (Netty on 127.0.0.1) with a recording, de-duplicating sink. */
class UsageReportServiceTest {

    private final UsageServer server = new UsageServer(new RecordingSink(KEY_A, KEY_B), UsageSettings.defaults(),
            System::currentTimeMillis);

    @AfterEach
    void close() throws InterruptedException {
        server.close();
    }

    private static ReportRequest.Builder valid() {
        return ReportRequest.newBuilder()
                .setRequestId("7f1c0c9e-8b1e-4c57-9a59-5b7f3c2f1d10")
                .setKeyId(KEY_A)
                .setReservationId("res-1")
                .setModel("gpt-4o")
                .setInputTokens(1200)
                .setOutputTokens(300);
    }

    @Test
    void report_withCost_isCountedAndCharged() {
        ReportResponse response = server.reports.report(valid().setCostMicroUsd(4_321).build());

        assertTrue(response.getCounted());
        assertEquals(4_321, response.getChargedCostMicroUsd());
        assertEquals(List.of(new UsageRecord("7f1c0c9e-8b1e-4c57-9a59-5b7f3c2f1d10", KEY_A, "res-1", "gpt-4o", 1200,
                300, 4_321, Source.REPORT)), server.sink.received());
    }

    @Test
    void report_withoutCost_leavesPricingToTheSink_andEmptyOptionalsAreNull() {
        ReportResponse response = server.reports.report(valid().clearReservationId().clearModel().build());

        assertTrue(response.getCounted());
        assertEquals(1500 * RecordingSink.MICRO_USD_PER_TOKEN, response.getChargedCostMicroUsd());
        UsageRecord got = server.sink.received().get(0);
        assertEquals(UsageRecord.UNKNOWN_COST, got.costMicroUsd());
        assertEquals(null, got.reservationId());
        assertEquals(null, got.model());
    }

    @Test
    void report_zeroCostIsACost() {
        ReportResponse response = server.reports.report(valid().setCostMicroUsd(0).build());
        assertTrue(response.getCounted());
        assertEquals(0, response.getChargedCostMicroUsd());
        assertEquals(0, server.sink.received().get(0).costMicroUsd());
    }

    @Test
    void report_isIdempotentByRequestId() {
        ReportRequest request = valid().setCostMicroUsd(10).build();
        ReportResponse firstTime = server.reports.report(request);
        ReportResponse retry = server.reports.report(request);

        assertTrue(firstTime.getCounted());
        assertFalse(retry.getCounted());
        assertEquals(0, retry.getChargedCostMicroUsd());
        assertEquals(1, server.sink.counted().size());
        assertEquals(List.of("received report", "counted report " + request.getRequestId() + " 10",
                "received report", "duplicate report " + request.getRequestId()), server.listener.events());
    }

    @Test
    void report_andAccessLog_deduplicateAgainstEachOther() throws Exception {
        server.stream(List.of(first(entry("shared-1").key(KEY_B)
                .header(UsageSettings.DEFAULT_INPUT_TOKENS_HEADER, "5").build())));
        server.sink.awaitReceived(1);

        ReportResponse response = server.reports.report(valid().setRequestId("shared-1").setKeyId(KEY_B).build());
        assertFalse(response.getCounted());
        assertEquals(1, server.sink.counted().size());
    }

    @Test
    void report_ofAnUnknownKey_isNotFound() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> server.reports.report(valid().setKeyId(KEY_UNKNOWN).build()));

        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("key " + KEY_UNKNOWN + " is not known to this sidecar", e.getStatus().getDescription());
        assertEquals(1, server.listener.count("unknown_key report " + KEY_UNKNOWN));
    }

    @Test
    void report_invalidFields_areRefusedNamingTheField() {
        assertInvalid(r -> r.clearRequestId(), "request_id: required");
        assertInvalid(r -> r.setRequestId("x".repeat(129)), "request_id: must be 1–128 printable ASCII characters");
        assertInvalid(r -> r.setRequestId("tab\there"), "request_id: must be 1–128 printable ASCII characters");
        assertInvalid(r -> r.setRequestId("é"), "request_id: must be 1–128 printable ASCII characters");
        assertInvalid(r -> r.clearKeyId(), "key_id: required");
        assertInvalid(r -> r.setKeyId("sk-live-abc"), "key_id: not a key id (key_…)");
        assertInvalid(r -> r.setKeyId("key_"), "key_id: not a key id (key_…)");
        assertInvalid(r -> r.setKeyId("key_abc def"), "key_id: not a key id (key_…)");
        assertInvalid(r -> r.setReservationId("r".repeat(129)),
                "reservation_id: must be at most 128 printable ASCII characters");
        assertInvalid(r -> r.setModel("gpt\n4"), "model: must be at most 256 printable ASCII characters");
        assertInvalid(r -> r.setInputTokens(-1), "input_tokens: must be between 0 and 1000000000000000, was -1");
        assertInvalid(r -> r.setOutputTokens(-7), "output_tokens: must be between 0 and 1000000000000000, was -7");
        assertInvalid(r -> r.setOutputTokens(Long.MAX_VALUE),
                "output_tokens: must be between 0 and 1000000000000000, was " + Long.MAX_VALUE);
        assertInvalid(r -> r.setCostMicroUsd(-1), "cost_micro_usd: must be between 0 and 1000000000000000, was -1");

        assertEquals(List.of(), server.sink.received(), "nothing reached the sink");
        assertEquals(14, server.listener.count("malformed report"));
        assertEquals(4, server.listener.count("malformed report key_id"));
    }

    @Test
    void report_whenTheSinkFails_isInternal_withoutDetails() {
        server.sink.failFor(KEY_B);
        try (LogLines log = new LogLines("keymeter.usage")) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> server.reports.report(valid().setKeyId(KEY_B).build()));

            assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
            assertEquals("usage report failed", e.getStatus().getDescription());
            assertEquals(1, server.listener.count("failed report IllegalStateException"));
            assertEquals(1, log.lines().size());
        }
        // The service is still fine for other calls.
        assertTrue(server.reports.report(valid().build()).getCounted());
    }

    private void assertInvalid(UnaryOperator<ReportRequest.Builder> change, String description) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> server.reports.report(change.apply(valid()).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), description);
        assertEquals(description, e.getStatus().getDescription());
    }
}
