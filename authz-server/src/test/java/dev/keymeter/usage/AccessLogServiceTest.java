package dev.keymeter.usage;

import static dev.keymeter.usage.Entries.KEY_A;
import static dev.keymeter.usage.Entries.KEY_B;
import static dev.keymeter.usage.Entries.KEY_UNKNOWN;
import static dev.keymeter.usage.Entries.batch;
import static dev.keymeter.usage.Entries.entry;
import static dev.keymeter.usage.Entries.first;
import static dev.keymeter.usage.Entries.number;
import static dev.keymeter.usage.Entries.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Value;
import dev.keymeter.logging.LogLines;
import dev.keymeter.usage.UsageRecord.Source;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The access-log stream over real gRPC (Netty on 127.0.0.1): entries shaped as Envoy sends them, several
 * per message and several messages per stream, settled through a recording sink. There is no per-entry
 * answer, so each test waits for the stream's final answer and then for the sink.
 */
class AccessLogServiceTest {

    private static final String IN = UsageSettings.DEFAULT_INPUT_TOKENS_HEADER;
    private static final String OUT = UsageSettings.DEFAULT_OUTPUT_TOKENS_HEADER;
    private static final String COST = UsageSettings.DEFAULT_COST_USD_HEADER;

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final UsageServer server = new UsageServer(new RecordingSink(KEY_A, KEY_B), UsageSettings.defaults(),
            now::get);

    @AfterEach
    void close() throws InterruptedException {
        server.close();
    }

    @Test
    void usageHeaders_areSettledWithKeyReservationModelAndRequestId() throws Exception {
        StreamAccessLogsResponse answer = server.stream(List.of(
                first(entry("req-1").key(KEY_A).reservation("res-1").authz("model", "gpt-4o")
                                .header(IN, "120").header(OUT, "30").header(COST, "0.001234").build(),
                        entry("req-2").key(KEY_B).header(IN, "7").header(OUT, "0").build()),
                batch(entry("req-3").key(KEY_A).header(IN, "1").build())));

        assertNotNull(answer);
        List<UsageRecord> got = server.sink.awaitReceived(3);
        assertEquals(new UsageRecord("req-1", KEY_A, "res-1", "gpt-4o", 120, 30, 1234, Source.ACCESS_LOG),
                got.get(0));
        assertEquals(new UsageRecord("req-2", KEY_B, null, null, 7, 0, UsageRecord.UNKNOWN_COST, Source.ACCESS_LOG),
                got.get(1));
        // Only input tokens reported: output is 0, the cost is left for the ledger to price.
        assertEquals(new UsageRecord("req-3", KEY_A, null, null, 1, 0, UsageRecord.UNKNOWN_COST, Source.ACCESS_LOG),
                got.get(2));
        assertEquals(List.of(
                "received access_log", "counted access_log req-1 1234",
                "received access_log", "counted access_log req-2 14",
                "received access_log", "counted access_log req-3 2"), server.listener.events());
    }

    @Test
    void trailers_winOverHeaders_fieldByField() throws Exception {
        server.stream(List.of(first(
                // Streamed response: a preliminary figure in the headers, the final one in the trailers.
                entry("req-t1").key(KEY_A)
                        .header(IN, "100").header(OUT, "1").header(COST, "0.5")
                        .trailer(IN, "100").trailer(OUT, "250").trailer(COST, "0.75").build(),
                // Input known before the body (header), output only at the end (trailer).
                entry("req-t2").key(KEY_A).header(IN, "40").trailer(OUT, "60").build(),
                // Trailers only.
                entry("req-t3").key(KEY_B).trailer(IN, "5").trailer(OUT, "6").trailer(COST, "0.000011").build())));

        List<UsageRecord> got = server.sink.awaitReceived(3);
        assertEquals(List.of(100L, 250L, 750_000L),
                List.of(got.get(0).inputTokens(), got.get(0).outputTokens(), got.get(0).costMicroUsd()));
        assertEquals(List.of(40L, 60L, UsageRecord.UNKNOWN_COST),
                List.of(got.get(1).inputTokens(), got.get(1).outputTokens(), got.get(1).costMicroUsd()));
        assertEquals(List.of(5L, 6L, 11L),
                List.of(got.get(2).inputTokens(), got.get(2).outputTokens(), got.get(2).costMicroUsd()));
    }

    @Test
    void aiGatewayMetadata_tokensAndServedModel() throws Exception {
        server.stream(List.of(
                first(
                        // What AI Gateway writes: numbers, and the model sent upstream.
                        entry("req-ai1").key(KEY_A).reservation("res-9").authz("model", "gpt-4o")
                                .aiGateway("llm_input_token", number(812))
                                .aiGateway("llm_output_token", number(64))
                                .aiGateway("llm_total_token", number(876))
                                .aiGateway("model_name_override", "gpt-4o-2024-08-06")
                                .aiGateway("backend_name", "default/openai")
                                .build()),
                batch(
                        // Strings of digits are accepted too.
                        entry("req-ai2").key(KEY_B).aiGateway("llm_input_token", "3")
                                .aiGateway("llm_output_token", text("4")).build(),
                        // A usage header beats the metadata for that field; the other still comes from metadata.
                        entry("req-ai3").key(KEY_A).header(IN, "9")
                                .aiGateway("llm_input_token", number(1)).aiGateway("llm_output_token", number(2))
                                .build())));

        List<UsageRecord> got = server.sink.awaitReceived(3);
        assertEquals(new UsageRecord("req-ai1", KEY_A, "res-9", "gpt-4o-2024-08-06", 812, 64,
                UsageRecord.UNKNOWN_COST, Source.ACCESS_LOG), got.get(0));
        assertEquals(List.of(3L, 4L), List.of(got.get(1).inputTokens(), got.get(1).outputTokens()));
        assertEquals(List.of(9L, 2L), List.of(got.get(2).inputTokens(), got.get(2).outputTokens()));
    }

    @Test
    void aiGatewayKeys_areConfigurable() throws Exception {
        try (UsageServer custom = new UsageServer(new RecordingSink(KEY_A),
                new UsageSettings("X-Prompt-Tokens", "x-completion-tokens", "x-cost", "my.ns", "in", "out", "served"),
                now::get)) {
            custom.stream(List.of(first(
                    entry("c1").key(KEY_A).header("x-prompt-tokens", "11").header("x-cost", "1").build())));
            assertEquals(new UsageRecord("c1", KEY_A, null, null, 11, 0, 1_000_000, Source.ACCESS_LOG),
                    custom.sink.awaitReceived(1).get(0));
        }
    }

    @Test
    void costHeader_isConvertedExactlyInDecimal() throws Exception {
        String[] costs = {"0.001234", "12.5", "0.1", "0", "000.000001", "0.3", "1234567.891011", "0.0000001",
                "0.1234567", " 0.02 "};
        long[] micros = {1_234, 12_500_000, 100_000, 0, 1, 300_000, 1_234_567_891_011L, 1, 123_457, 20_000};
        HTTPAccessLogEntry[] entries = new HTTPAccessLogEntry[costs.length];
        for (int i = 0; i < costs.length; i++) {
            entries[i] = entry("cost-" + i).key(KEY_A).header(COST, costs[i]).build();
        }
        server.stream(List.of(first(entries)));

        List<UsageRecord> got = server.sink.awaitReceived(costs.length);
        for (int i = 0; i < costs.length; i++) {
            assertEquals(micros[i], got.get(i).costMicroUsd(), "cost " + costs[i]);
            assertEquals(0, got.get(i).totalTokens());
        }
    }

    @Test
    void entriesWithoutAKey_orDenied_areUnmatched() throws Exception {
        server.stream(List.of(first(
                // Not through keymeter at all: no ext_authz metadata.
                entry("u1").header(IN, "5").build(),
                // ext_authz metadata without a key (anonymous denial).
                entry("u2").authz("denial_reason", "missing_token").header(IN, "5").build(),
                // Denied although the key was known: nothing went upstream.
                entry("u3").key(KEY_A).authz("denial_reason", "permission_denied").header(IN, "5").build(),
                // An empty key id.
                entry("u4").authz("key_id", "").header(IN, "5").build()),
                batch(entry("ok").key(KEY_A).header(IN, "5").build())));

        List<UsageRecord> got = server.sink.awaitReceived(1);
        assertEquals(1, got.size());
        assertEquals("ok", got.get(0).requestId());
        assertEquals(4, server.listener.count("unmatched access_log"));
        assertEquals(5, server.listener.count("received access_log"));
    }

    @Test
    void malformedValues_areSkippedCountedAndTheStreamSurvives() throws Exception {
        try (LogLines log = new LogLines("keymeter.usage")) {
            StreamAccessLogsResponse answer = server.stream(List.of(
                    first(
                            entry("m1").key(KEY_A).header(IN, "-5").build(),
                            entry("m2").key(KEY_A).header(IN, "12abc").build(),
                            entry("m3").key(KEY_A).trailer(OUT, "1.5").header(OUT, "2").build(),
                            entry("m4").key(KEY_A).header(IN, "99999999999999999999999").build(),
                            entry("m5").key(KEY_A).header(COST, "NaN").build(),
                            entry("m6").key(KEY_A).header(COST, "-0.01").build(),
                            entry("m7").key(KEY_A).header(COST, "1E-3").build(),
                            entry("m8").key(KEY_A).header(COST, "1E999999999").build(),
                            entry("m9").key(KEY_A).header(COST, "$0.50").build(),
                            entry("m10").key(KEY_A).header(COST, "").build()),
                    batch(
                            entry("ok-1").key(KEY_A).header(IN, "1").build(),
                            entry("m11").key(KEY_B).aiGateway("llm_input_token", number(1.5)).build(),
                            entry("m12").key(KEY_B).aiGateway("llm_output_token", number(-3)).build(),
                            entry("m13").key(KEY_B).aiGateway("llm_input_token", number(Double.NaN)).build(),
                            entry("m14").key(KEY_B)
                                    .aiGateway("llm_input_token", Value.newBuilder().setBoolValue(true).build())
                                    .build(),
                            entry("m15").authz("key_id", "sk-live-not-a-key-id").header(IN, "1").build(),
                            entry("m16").authz("key_id", number(12)).header(IN, "1").build()),
                    batch(entry("ok-2").key(KEY_B).header(OUT, "2").build())));

            assertNotNull(answer, "the stream ended normally");
            RecordingSink.awaitTrue(() -> server.listener.count("counted") == 2, "two counted");
            assertEquals(List.of("ok-1", "ok-2"),
                    server.sink.received().stream().map(UsageRecord::requestId).toList());
            assertEquals(16, server.listener.count("malformed access_log"));
            assertEquals(3, server.listener.count("malformed access_log " + IN));
            assertEquals(1, server.listener.count("malformed access_log " + OUT));
            assertEquals(3, server.listener.count("malformed access_log io.envoy.ai_gateway/llm_input_token"));
            assertEquals(1, server.listener.count("malformed access_log io.envoy.ai_gateway/llm_output_token"));
            assertEquals(2, server.listener.count("malformed access_log key_id"));
            assertEquals(6, server.listener.count("malformed access_log " + COST));

            // One warning line (the clock does not move): key id and field, never a value.
            List<String> lines = log.lines();
            assertEquals(1, lines.size(), lines.toString());
            assertEquals("access log entry skipped: " + IN + " not a token count key_id=" + KEY_A, lines.get(0));

            // Next interval: one more line, saying how many were left out.
            now.addAndGet(AccessLogService.WARNING_INTERVAL_MILLIS);
            server.stream(List.of(first(entry("m17").key(KEY_B).header(COST, "abc").build())));
            RecordingSink.awaitTrue(() -> log.lines().size() == 2, "a second warning");
            assertEquals("access log entry skipped: " + COST + " not a decimal USD amount key_id=" + KEY_B
                    + " suppressed_since_last=15", log.lines().get(1));
            for (String line : log.lines()) {
                for (String value : List.of("-5", "12abc", "NaN", "1E", "$0.50", "sk-live", "abc")) {
                    assertFalse(line.contains(value), line + " contains " + value);
                }
            }
        }
    }

    @Test
    void tcpLogs_andIdentifierOnlyMessages_areIgnored() throws Exception {
        StreamAccessLogsResponse answer = server.stream(List.of(
                first().toBuilder().clearHttpLogs().build(),
                Entries.tcp(),
                batch(entry("after-tcp").key(KEY_A).header(IN, "3").build())));

        assertNotNull(answer);
        assertEquals(1, server.sink.awaitReceived(1).size());
        assertEquals(List.of("received access_log", "counted access_log after-tcp 6"), server.listener.events());
    }

    @Test
    void aKeyWithoutUsage_isNotSettled_evenWithAReservation() throws Exception {
        server.stream(List.of(first(
                entry("n1").key(KEY_A).reservation("res-7").build(),
                entry("n2").key(KEY_B).build(),
                entry("n3").key(KEY_A).header("x-unrelated", "5").build(),
                entry("marker").key(KEY_A).header(IN, "1").build())));

        assertEquals(List.of("marker"),
                server.sink.awaitReceived(1).stream().map(UsageRecord::requestId).toList());
        assertEquals(1, server.listener.count("no_usage access_log " + KEY_A + " reserved=true"));
        assertEquals(1, server.listener.count("no_usage access_log " + KEY_B + " reserved=false"));
        assertEquals(1, server.listener.count("no_usage access_log " + KEY_A + " reserved=false"));
    }

    @Test
    void sameRequestIdTwice_isCountedOnce_andUnknownKeysAreReported() throws Exception {
        server.stream(List.of(
                first(entry("dup").key(KEY_A).header(IN, "10").build()),
                batch(entry("dup").key(KEY_A).header(IN, "10").build(),
                        entry("stranger").key(KEY_UNKNOWN).header(IN, "10").build())));

        server.sink.awaitReceived(3);
        assertEquals(1, server.sink.counted().size());
        assertEquals(List.of(
                "received access_log", "counted access_log dup 20",
                "received access_log", "duplicate access_log dup",
                "received access_log", "unknown_key access_log " + KEY_UNKNOWN), server.listener.events());
    }

    @Test
    void anUnusableRequestId_isDropped_butTheUsageIsStillCounted() throws Exception {
        server.stream(List.of(first(
                entry("x".repeat(129)).key(KEY_A).header(IN, "4").build(),
                entry(null).key(KEY_A).header(IN, "5").build(),
                entry("bad\u0001id").key(KEY_A).header(IN, "6").build())));

        List<UsageRecord> got = server.sink.awaitReceived(3);
        for (UsageRecord r : got) {
            assertNull(r.requestId());
        }
        assertEquals(List.of(4L, 5L, 6L), got.stream().map(UsageRecord::inputTokens).toList());
        assertEquals(3, server.sink.counted().size());
    }

    @Test
    void anUnusableModel_isIgnored_notSkipped() throws Exception {
        server.stream(List.of(first(
                entry("mod1").key(KEY_A).header(IN, "4").aiGateway("model_name_override", "m".repeat(300))
                        .authz("model", "gpt-4o-mini").build(),
                entry("mod2").key(KEY_A).header(IN, "4").authz("model", number(7)).build())));

        List<UsageRecord> got = server.sink.awaitReceived(2);
        assertEquals("gpt-4o-mini", got.get(0).model());
        assertNull(got.get(1).model());
    }

    @Test
    void aFailingSink_doesNotBreakTheStream() throws Exception {
        server.sink.failFor(KEY_B);
        try (LogLines log = new LogLines("keymeter.usage")) {
            StreamAccessLogsResponse answer = server.stream(List.of(
                    first(entry("f1").key(KEY_B).header(IN, "1").build()),
                    batch(entry("f2").key(KEY_A).header(IN, "1").build())));

            assertNotNull(answer);
            server.sink.awaitReceived(2);
            assertEquals(1, server.sink.counted().size());
            assertEquals(1, server.listener.count("failed access_log IllegalStateException"));
            assertEquals(1, log.lines().size());
            assertTrue(log.lines().get(0).startsWith("access log entry failed key_id=" + KEY_B), log.lines().get(0));
        }
    }

    @Test
    void manyStreams_concurrently_countEveryEntryOnce() throws Exception {
        int streams = 8;
        int perStream = 50;
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        for (int s = 0; s < streams; s++) {
            int stream = s;
            threads.add(new Thread(() -> {
                try {
                    List<StreamAccessLogsMessage> messages = new ArrayList<>();
                    for (int i = 0; i < perStream; i += 10) {
                        HTTPAccessLogEntry[] entries = new HTTPAccessLogEntry[10];
                        for (int j = 0; j < 10; j++) {
                            entries[j] = entry("s" + stream + "-" + (i + j)).key(stream % 2 == 0 ? KEY_A : KEY_B)
                                    .header(IN, "1").trailer(OUT, "1").build();
                        }
                        messages.add(i == 0 ? first(entries) : batch(entries));
                    }
                    server.stream(messages);
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), errors);
        assertEquals(streams * perStream, server.sink.awaitReceived(streams * perStream).size());
        assertEquals(streams * perStream, server.sink.counted().size());
    }
}
