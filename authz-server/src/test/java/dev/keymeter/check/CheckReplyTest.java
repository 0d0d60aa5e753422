package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.quota.HeapCounterStore;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.PriceTable;
import dev.keymeter.usage.Reservations;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replies encoded ahead of time (a hot key's allow, the constant denials) go out as their bytes and
 * arrive as the very responses Check decided, through real gRPC transports.
 */
class CheckReplyTest {

    @TempDir
    Path dir;

    private final CheckReplyMarshaller marshaller = new CheckReplyMarshaller();

    @Test
    void hotKeyAllow_isEncodedOnce_andArrivesAsTheSameResponse() throws InterruptedException {
        try (CheckHarness h = new CheckHarness(dir)) {
            String token = TestKeys.userToken();
            h.add(TestKeys.projectKey("key_1", token));
            CheckRequest request = Requests.bearer("POST", "/v1/embeddings", token);

            CheckResponse first = h.check(request); // builds the reply and keeps it in the key's memo
            CheckReply kept = h.authorizer.decide(request);
            assertNotNull(kept.encoded(), "a hot key's allow carries its bytes");
            assertArrayEquals(kept.response().toByteArray(), kept.encoded());
            assertSame(kept, h.authorizer.decide(request), "kept, not rebuilt");

            CheckResponse second = h.check(request); // sent from the kept bytes, parsed by the client
            assertEquals(first, second);
            assertEquals("key_1", Answers.header(second.getOkResponse().getHeadersList(), "x-keymeter-key-id"));
            assertEquals(List.of("authorization"), second.getOkResponse().getHeadersToRemoveList());
        }
    }

    @Test
    void overLoopbackHttp2_everyKindOfReplyArrivesAsDecided() throws Exception {
        try (CheckHarness h = new CheckHarness(dir)) {
            String token = TestKeys.userToken();
            String disabled = TestKeys.userToken();
            h.add(TestKeys.projectKey("key_1", token));
            h.add(TestKeys.projectKey("key_off", disabled).setStatus(KeyStatus.KEY_STATUS_DISABLED));
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
                    .addService(new CheckService(h.authorizer, () -> true)).build().start();
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort())
                    .usePlaintext().build();
            try {
                var stub = AuthorizationGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
                List<CheckRequest> requests = List.of(
                        Requests.bearer("POST", "/v1/chat/completions", token), // built, then kept
                        Requests.bearer("POST", "/v1/chat/completions", token), // from the kept bytes
                        Requests.bearer("POST", "/v1/chat/completions", "sk-nobody-has-this-key"), // constant
                        Requests.bearer("POST", "/v1/chat/completions", "kms_" + "x".repeat(36)), // malformed
                        Requests.bearer("POST", "/v1/chat/completions", disabled), // names the key: built
                        Requests.bearer("GET", "/not/a/route", token)); // unknown route, names the key
                for (CheckRequest request : requests) {
                    assertEquals(h.authorizer.check(request), stub.check(request));
                }
                assertEquals(401, Answers.httpStatus(stub.check(requests.get(2))));
            } finally {
                channel.shutdownNow();
                server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void denials_anonymousOnesAreSharedAndEncoded_keyedOnesAreBuiltPerRequest() throws InterruptedException {
        try (CheckHarness h = new CheckHarness(dir)) {
            String disabled = TestKeys.userToken();
            h.add(TestKeys.projectKey("key_off", disabled).setStatus(KeyStatus.KEY_STATUS_DISABLED));
            CheckRequest unknown = Requests.bearer("POST", "/v1/embeddings", "sk-nobody-has-this-key");
            CheckReply anonymous = h.authorizer.decide(unknown);
            assertSame(anonymous, h.authorizer.decide(unknown));
            assertArrayEquals(anonymous.response().toByteArray(), anonymous.encoded());

            CheckReply keyed = h.authorizer.decide(Requests.bearer("POST", "/v1/embeddings", disabled));
            assertNull(keyed.encoded(), "a denial naming its key is sent once: not worth encoding ahead");
            assertEquals("key_off", Answers.metadata(keyed.response(), "key_id"));
        }
    }

    @Test
    void keptAllow_keepsItsModelVariants_asSuffixesThatParseToTheModelsResponse() throws IOException {
        CheckResponse allowed = CheckResponse.newBuilder()
                .setOkResponse(io.envoyproxy.envoy.service.auth.v3.OkHttpResponse.newBuilder()
                        .addHeaders(Headers.overwrite(Headers.KEY_ID, "key_1")))
                .setDynamicMetadata(DynamicMetadata.allowed("key_1", "proj_1")).build();
        CheckReply kept = CheckReply.encodedOnce(allowed);
        CheckReply chat = kept.withModel("gpt-4o");
        assertSame(chat, kept.withModel("gpt-4o"));
        CheckResponse expected = QuotaResponses.withModel(allowed, "gpt-4o");
        assertEquals(expected, chat.response());
        assertEquals(expected, CheckResponse.parseFrom(wire(chat)),
                "kept bytes + suffix parse as the model's response");
        assertSame(kept.encoded(), chat.encoded(), "the kept bytes are shared, not copied");
        assertTrue(chat.suffix().length <= 16 + "gpt-4o".length(), "suffix of " + chat.suffix().length + " bytes");
        assertEquals("key_1", Answers.metadata(CheckResponse.parseFrom(wire(chat)), "key_id"));
        assertNull(Answers.metadata(kept.response(), "model"), "the kept reply itself is unchanged");

        for (String model : List.of("m1", "m2", "m3", "m4")) {
            kept.withModel(model);
        }
        assertArrayEquals(new String[] {"m4", "m3", "m2", "m1"}, kept.variantModels());
        assertNotSame(chat, kept.withModel("gpt-4o"), "dropped as the oldest, so made again");
        assertArrayEquals(new String[] {"gpt-4o", "m4", "m3", "m2"}, kept.variantModels());

        CheckReply once = CheckReply.of(allowed);
        CheckReply onceWithModel = once.withModel("gpt-4o");
        assertNull(onceWithModel.encoded(), "a reply sent once keeps no variants");
        assertNotSame(onceWithModel, once.withModel("gpt-4o"));
        assertEquals(expected, onceWithModel.response());
    }

    /** What the marshaller sends for {@code reply}, drained. */
    private byte[] wire(CheckReply reply) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ((Drainable) marshaller.stream(reply)).drainTo(out);
        return out.toByteArray();
    }

    @Test
    void keyWithoutLimits_chatRequestsForOneModel_shareOneEncodedReply() throws InterruptedException {
        Budgets budgets = new Budgets(new HeapCounterStore(100), PriceTable.empty(), new Reservations(60_000, 100));
        try (CheckHarness h = new CheckHarness(dir, CheckSettings.defaults(), true, budgets)) {
            String token = TestKeys.userToken();
            h.add(TestKeys.projectKey("key_1", token));
            CheckRequest plain = Requests.bearer("POST", "/v1/chat/completions", token);
            CheckRequest chat = Requests.withAttributes(plain, AttributeContext.newBuilder()
                    .setRequest(AttributeContext.Request.newBuilder().setHttp(plain.getAttributes().getRequest()
                            .getHttp().toBuilder().setBody("{\"model\":\"gpt-4o\",\"messages\":[]}"))));

            CheckResponse first = h.check(chat);
            CheckReply kept = h.authorizer.decide(chat);
            assertSame(kept, h.authorizer.decide(chat));
            assertNotNull(kept.encoded());
            CheckResponse second = h.check(chat); // kept bytes + the model's suffix, parsed by the client
            assertEquals(first, second);
            assertEquals(h.authorizer.check(chat), second);
            assertEquals("gpt-4o", Answers.metadata(second, "model"));
            assertEquals("key_1", Answers.metadata(second, "key_id"));
            assertNull(Answers.metadata(h.check(plain), "model"), "a request without a body names no model");
        }
    }

    @Test
    void keptBytes_streamWithTheirLength_whetherDrainedOrRead() throws IOException {
        CheckResponse response = CheckResponse.newBuilder()
                .setOkResponse(io.envoyproxy.envoy.service.auth.v3.OkHttpResponse.newBuilder()
                        .addHeaders(Headers.overwrite(Headers.KEY_ID, "key_1"))
                        .addHeadersToRemove("authorization"))
                .build();
        CheckReply kept = CheckReply.encodedOnce(response);
        CheckReply variant = kept.withModel("gpt-4o");
        for (CheckReply reply : List.of(kept, variant)) {
            byte[] bytes = concat(reply.encoded(), reply.suffix());

            InputStream drained = marshaller.stream(reply);
            assertTrue(drained instanceof KnownLength && drained instanceof Drainable);
            assertEquals(bytes.length, drained.available());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(bytes.length, ((Drainable) drained).drainTo(out));
            assertArrayEquals(bytes, out.toByteArray());
            assertEquals(0, drained.available());
            assertEquals(-1, drained.read());

            InputStream read = marshaller.stream(reply); // one byte, then pieces of 7 across the seam
            ByteArrayOutputStream pieces = new ByteArrayOutputStream();
            byte[] buffer = new byte[7];
            assertEquals(bytes[0] & 0xff, read.read());
            pieces.write(bytes[0]);
            for (int n; (n = read.read(buffer, 0, buffer.length)) != -1; ) {
                pieces.write(buffer, 0, n);
            }
            assertArrayEquals(bytes, pieces.toByteArray());
            assertEquals(0, read.read(buffer, 0, 0));

            assertEquals(reply.response(), marshaller.parse(marshaller.stream(reply)).response());
        }

        InputStream partly = marshaller.stream(variant); // drained from inside the suffix
        int into = variant.encoded().length + 3;
        for (int i = 0; i < into; i++) {
            partly.read();
        }
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        assertEquals(variant.suffix().length - 3, ((Drainable) partly).drainTo(rest));
        byte[] suffix = variant.suffix();
        assertArrayEquals(java.util.Arrays.copyOfRange(suffix, 3, suffix.length), rest.toByteArray());
        assertEquals(response, marshaller.parse(marshaller.stream(CheckReply.of(response))).response());
    }

    private static byte[] concat(byte[] head, byte[] tail) {
        byte[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
