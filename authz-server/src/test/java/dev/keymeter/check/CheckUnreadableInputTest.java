package dev.keymeter.check;

import static dev.keymeter.check.Answers.error;
import static dev.keymeter.check.Answers.httpStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.keymeter.logging.LogLines;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests protobuf cannot read as they are: a string field holding bytes that are not UTF-8 (Envoy
 * copies header values and the body as it received them). Each gets a decision, never a gRPC error,
 * and the log holds at most one line per interval.
 */
class CheckUnreadableInputTest {

    /** Stands for the bad bytes while the request is built; replaced in the encoded request. */
    private static final String MARK = "QQQQ";
    private static final byte[] NOT_UTF8 = {(byte) 0xC3, (byte) 0x28, (byte) 0xA0, (byte) 0xFF};

    @TempDir
    Path dir;
    private CheckHarness harness;
    private String token;

    @BeforeEach
    void start() {
        harness = new CheckHarness(dir);
        token = TestKeys.userToken();
        harness.add(TestKeys.projectKey("key_1", token));
    }

    @AfterEach
    void close() throws InterruptedException {
        harness.close();
    }

    /** The encoded request with every {@link #MARK} turned into bytes that are not UTF-8. */
    static byte[] withBadBytes(CheckRequest request) {
        byte[] bytes = request.toByteArray();
        byte[] mark = MARK.getBytes(StandardCharsets.US_ASCII);
        int replaced = 0;
        for (int i = 0; i + mark.length <= bytes.length; i++) {
            boolean at = true;
            for (int k = 0; k < mark.length && at; k++) {
                at = bytes[i + k] == mark[k];
            }
            if (at) {
                System.arraycopy(NOT_UTF8, 0, bytes, i, NOT_UTF8.length);
                replaced++;
            }
        }
        assertTrue(replaced > 0, "the request holds the mark");
        return bytes;
    }

    private CheckRequest embeddings(Map<String, String> extra) {
        return Requests.withHeaders("POST", "/v1/embeddings",
                Map.of("authorization", "Bearer " + token, extra.keySet().iterator().next(), extra.values().iterator().next()));
    }

    @Test
    void check_headerValueNotUtf8_is400NamingTheHeaderNotItsValue() {
        CheckResponse r = harness.checkBytes(withBadBytes(embeddings(Map.of("x-trace-note", "a" + MARK + "b"))));

        assertEquals(400, httpStatus(r));
        assertFalse(r.hasOkResponse());
        var e = error(r);
        assertEquals("invalid_header", e.get("code").getAsString());
        assertEquals("invalid_request_error", e.get("type").getAsString());
        String message = e.get("message").getAsString();
        assertTrue(message.contains("x-trace-note"), message);
        assertTrue(message.contains("UTF-8"), message);
        assertFalse(r.getDeniedResponse().getBody().contains("\uFFFD"), "never the value, not even mangled");
    }

    @Test
    void check_rawHeaderMapValueNotUtf8_is400NamingTheHeader() {
        CheckRequest request = Requests.withRawHeaders("POST", "/v1/embeddings", "authorization", "Bearer " + token);
        HeaderMap.Builder map = request.getAttributes().getRequest().getHttp().getHeaderMap().toBuilder()
                .addHeaders(HeaderValue.newBuilder().setKey("x-client-name").setValue(MARK));
        request = Requests.withAttributes(request, AttributeContext.newBuilder().setRequest(AttributeContext.Request
                .newBuilder().setHttp(request.getAttributes().getRequest().getHttp().toBuilder().setHeaderMap(map))));

        CheckResponse r = harness.checkBytes(withBadBytes(request));

        assertEquals(400, httpStatus(r));
        assertTrue(error(r).get("message").getAsString().contains("x-client-name"), error(r).toString());
    }

    @Test
    void check_headerNameNotUtf8_is400WithoutQuotingTheName() {
        CheckResponse r = harness.checkBytes(withBadBytes(embeddings(Map.of("x-" + MARK, "v"))));

        assertEquals(400, httpStatus(r));
        assertEquals("invalid_header", error(r).get("code").getAsString());
        assertFalse(r.getDeniedResponse().getBody().contains("\uFFFD"), r.getDeniedResponse().getBody());
    }

    @Test
    void check_pathNotUtf8_is400NamingThePath() {
        CheckResponse r = harness.checkBytes(withBadBytes(Requests.bearer("GET", "/v1/models/" + MARK, token)));

        assertEquals(400, httpStatus(r));
        assertTrue(error(r).get("message").getAsString().contains("path"), error(r).toString());
    }

    @Test
    void check_bodyNotUtf8_isReadAsBytesAndDecided() {
        CheckRequest r = Requests.bearer("POST", "/v1/embeddings", token);
        r = Requests.withAttributes(r, AttributeContext.newBuilder().setRequest(AttributeContext.Request.newBuilder()
                .setHttp(r.getAttributes().getRequest().getHttp().toBuilder().setBody("{\"model\":\"m\",\"input\":\"" + MARK
                        + "\"}"))));

        CheckResponse response = harness.checkBytes(withBadBytes(r));

        assertEquals(200, httpStatus(response), "a binary upload is a body like any other");
        assertTrue(response.hasOkResponse());
    }

    @Test
    void check_notProtobufAtAll_is400() {
        CheckResponse r = harness.checkBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});

        assertEquals(400, httpStatus(r));
        assertEquals("invalid_request", error(r).get("code").getAsString());
    }

    @Test
    void check_manyUnreadableRequests_loggedAtMostOncePerInterval_neverTheValue() {
        try (LogLines log = new LogLines("keymeter.check")) {
            for (int i = 0; i < 50; i++) {
                assertEquals(400, httpStatus(harness.checkBytes(withBadBytes(embeddings(Map.of("x-trace-note", MARK))))));
            }
            List<String> lines = log.lines();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("x-trace-note"), lines.get(0));
            assertTrue(lines.get(0).contains("not valid UTF-8"), lines.get(0));
        }
        assertTrue(harness.listener.last().contains("MALFORMED_REQUEST"), harness.listener.last());
    }

    @Test
    void check_overTcp_headerNotUtf8_is400_andGrpcLogsNothing() throws Exception {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
                .addService(new CheckService(harness.authorizer, () -> true)).build().start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r.getLevel() + " " + r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger grpcLog = Logger.getLogger("io.grpc");
        grpcLog.addHandler(handler);
        try {
            MethodDescriptor<CheckRequest, CheckResponse> check = AuthorizationGrpc.getCheckMethod();
            MethodDescriptor<byte[], CheckResponse> raw = check.toBuilder(new MethodDescriptor.Marshaller<byte[]>() {
                @Override
                public InputStream stream(byte[] value) {
                    return new ByteArrayInputStream(value);
                }

                @Override
                public byte[] parse(InputStream stream) {
                    throw new UnsupportedOperationException("requests only");
                }
            }, check.getResponseMarshaller()).build();
            for (int i = 0; i < 20; i++) {
                CheckResponse r = ClientCalls.blockingUnaryCall(channel, raw,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                        withBadBytes(embeddings(Map.of("x-trace-note", MARK))));
                assertEquals(400, httpStatus(r));
            }
            CheckResponse ok = AuthorizationGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(Requests.bearer("POST", "/v1/embeddings", token));
            assertEquals(200, httpStatus(ok), "a whole message of known length, read through the per-thread buffer");
            assertEquals(List.of(), warnings, "no SEVERE line per request from the transport");
        } finally {
            grpcLog.removeHandler(handler);
            channel.shutdownNow();
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void check_mutatedRequests_alwaysGetADecision() {
        java.util.Random random = new java.util.Random(20);
        CheckRequest base = Requests.withAttributes(embeddings(Map.of("x-trace-note", "note")),
                AttributeContext.newBuilder().setRequest(AttributeContext.Request.newBuilder().setHttp(
                        embeddings(Map.of("x-trace-note", "note")).getAttributes().getRequest().getHttp().toBuilder()
                                .setBody("{\"model\":\"gpt-4o\",\"max_tokens\":5}"))));
        byte[] valid = base.toByteArray();
        for (int i = 0; i < 3_000; i++) {
            byte[] bytes = valid.clone();
            for (int k = 1 + random.nextInt(4); k > 0; k--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            CheckResponse r = harness.checkBytes(bytes); // a gRPC error would throw here
            assertTrue(List.of(200, 400, 401, 403, 404).contains(httpStatus(r)), "case " + i + ": " + httpStatus(r));
        }
    }

    @Test
    void check_validRequestAfterUnreadableOne_isAllowed() {
        harness.checkBytes(withBadBytes(embeddings(Map.of("x-trace-note", MARK))));
        assertEquals(200, httpStatus(harness.check(Requests.bearer("POST", "/v1/embeddings", token))));
    }
}
