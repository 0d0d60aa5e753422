package dev.keymeter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.ListKeysRequest;
import dev.keymeter.proto.admin.v1.OwnerType;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input is a 400 naming the field; unknown paths, wrong methods and big bodies; the headers and error shape. */
class JsonApiInputTest {

    @TempDir
    Path dir;
    HttpHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new HttpHarness(dir);
        h.ok("POST", "/v1/projects", "{\"projectId\": \"payments\"}");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private String message(HttpResponse<String> r, int status, String grpcStatus) {
        return HttpHarness.error(r, status, grpcStatus).get("message").getAsString();
    }

    private String badKey(String json) {
        return message(h.send("POST", "/v1/keys", h.adminToken, json), 400, "INVALID_ARGUMENT");
    }

    @Test
    void unknownField_is400NamingIt() {
        String m = badKey("{\"name\": \"x\", \"colour\": \"red\"}");
        assertTrue(m.startsWith("colour: ") && m.contains("colour"), m);
        m = badKey("{\"name\": \"x\", \"limits\": {\"tokenLimit\": \"5\", \"tokensPerDay\": \"9\"}}");
        assertTrue(m.startsWith("limits.tokensPerDay: "), m);
    }

    @Test
    void wrongEnumName_is400NamingTheField() {
        String m = badKey("{\"name\": \"x\", \"kind\": \"KEY_KIND_ROOT\"}");
        assertTrue(m.startsWith("kind: ") && m.contains("KEY_KIND_ROOT"), m);
        m = badKey("{\"name\": \"x\", \"permissions\": {\"preset\": \"EVERYTHING\"}}");
        assertTrue(m.startsWith("permissions.preset: "), m);
        m = message(h.get("/v1/keys?kind=ROOT", h.adminToken), 400, "INVALID_ARGUMENT");
        assertTrue(m.startsWith("query parameter kind: ") && m.contains("ROOT"), m);
    }

    @Test
    void malformedJson_is400NamingThePosition() {
        String m = badKey("{\"name\": \"x\",, }");
        assertEquals("request body: malformed JSON at line 1 column 15 path $.name", m);
        assertTrue(badKey("{\"name\": 'x'}").startsWith("request body: malformed JSON"), "strict: no single quotes");
        assertTrue(badKey("{\"name\": \"x\"} {}").contains("data after the object"));
        assertTrue(badKey("[1, 2]").contains("expected a JSON object, was an array"));
    }

    @Test
    void badLimit_givesTheMessageGrpcGives() throws Exception {
        String viaJson = badKey("""
                {"name": "x", "kind": "KEY_KIND_PROJECT", "projectId": "payments",
                 "ownerType": "OWNER_TYPE_SERVICE_ACCOUNT", "limits": {"tokenLimit": "-1"}}""");
        CreateKeyRequest same = CreateKeyRequest.newBuilder().setName("x").setKind(KeyKind.KEY_KIND_PROJECT)
                .setProjectId("payments").setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                .setLimits(Limits.newBuilder().setTokenLimit(-1)).build();
        assertEquals(grpcRefusal(same), viaJson);
        assertTrue(viaJson.contains("limits.token_limit"), viaJson);
    }

    @Test
    void badPageSize_givesTheMessageGrpcGives() throws Exception {
        String viaJson = message(h.get("/v1/keys?pageSize=5000", h.adminToken), 400, "INVALID_ARGUMENT");
        assertTrue(viaJson.contains("page_size"), viaJson);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", h.controlPlane.port()).usePlaintext().build();
        try {
            StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                    () -> stub(channel).listKeys(ListKeysRequest.newBuilder().setPageSize(5000).build()));
            assertEquals(e.getStatus().getDescription(), viaJson);
        } finally {
            channel.shutdownNow();
        }
        String notANumber = message(h.get("/v1/keys?pageSize=ten", h.adminToken), 400, "INVALID_ARGUMENT");
        assertTrue(notANumber.startsWith("query parameter pageSize: ") && notANumber.contains("ten"), notANumber);
    }

    @Test
    void unknownQueryParameter_is400NamingIt() {
        String m = message(h.get("/v1/keys?colour=red", h.adminToken), 400, "INVALID_ARGUMENT");
        assertTrue(m.startsWith("query parameter colour: "), m);
        m = message(h.get("/v1/keys?pageSize=1&pageSize=2", h.adminToken), 400, "INVALID_ARGUMENT");
        assertTrue(m.contains("pageSize") && m.contains("more than once"), m);
    }

    @Test
    void wrongMethod_is405WithAllow() {
        HttpResponse<String> r = h.send("PUT", "/v1/keys", h.adminToken, "{}");
        HttpHarness.error(r, 405, "UNIMPLEMENTED");
        assertEquals("POST, GET", r.headers().firstValue("Allow").orElseThrow());
        r = h.send("POST", "/v1/keys/key_x/usage", h.adminToken, null);
        HttpHarness.error(r, 405, "UNIMPLEMENTED");
        assertEquals("GET", r.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void unknownPath_is404NamingIt() {
        String m = message(h.get("/v1/keys/key_x/secrets", h.adminToken), 404, "NOT_FOUND");
        assertTrue(m.contains("/v1/keys/key_x/secrets"), m);
        m = message(h.send("POST", "/v1/keys/key_x:explode", h.adminToken, null), 404, "NOT_FOUND");
        assertTrue(m.contains(":explode"), m);
    }

    @Test
    void oversizedBody_is413_whetherDeclaredOrChunked() throws Exception {
        String declared = "POST /v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + h.adminToken
                + "\r\nContent-Type: application/json\r\nContent-Length: " + (JsonBody.MAX_BYTES + 1) + "\r\n\r\n{";
        assertEquals(413, rawStatus(declared.getBytes(StandardCharsets.US_ASCII)));
        int size = JsonBody.MAX_BYTES + 10;
        String chunked = "POST /v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + h.adminToken
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(size) + "\r\n{\"name\": \"" + "a".repeat(size - 12) + "\"}\r\n0\r\n\r\n";
        assertEquals(413, rawStatus(chunked.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(1, h.ok("GET", "/v1/keys?projectId=payments", null).getAsJsonArray("keys").size(),
                "nothing created");
    }

    /** The status of a response to bytes written as they are (HttpClient cannot read an answer sent before the body is all sent). */
    private int rawStatus(byte[] request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", h.controlPlane.consolePort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    @Test
    void bodyThatIsNotJson_is415() {
        HttpRequest form = HttpRequest.newBuilder(h.uri("/v1/projects")).header("Authorization", "Bearer " + h.adminToken)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("projectId=search")).build();
        String m = HttpHarness.error(h.send(form), 415, "INVALID_ARGUMENT").get("message").getAsString();
        assertTrue(m.startsWith("Content-Type: "), m);
        HttpHarness.error(h.get("/v1/projects/search", h.adminToken), 404, "NOT_FOUND");
    }

    @Test
    void everyAnswer_carriesTheJsonHeaders() {
        List<HttpResponse<String>> answers = List.of(h.get("/v1/keys", h.adminToken), h.get("/v1/keys", null),
                h.get("/v1/nothing", h.adminToken), h.send("PUT", "/v1/keys", h.adminToken, "{}"),
                h.get("/openapi.json", null), h.send("POST", "/v1/keys", h.adminToken, "{,}"));
        for (HttpResponse<String> r : answers) {
            assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""),
                    r::toString);
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""), r::toString);
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), r::toString);
            JsonParser.parseString(r.body());
        }
    }

    @Test
    void errorBody_hasExactlyCodeStatusMessage() {
        JsonObject body = JsonParser.parseString(h.get("/v1/keys/key_nope", h.adminToken).body()).getAsJsonObject();
        assertEquals(List.of("error"), List.copyOf(body.keySet()));
        JsonObject error = body.getAsJsonObject("error");
        assertEquals(List.of("code", "status", "message"), List.copyOf(error.keySet()));
        assertEquals(404, error.get("code").getAsInt());
        assertEquals("NOT_FOUND", error.get("status").getAsString());
        assertTrue(error.get("message").getAsString().contains("key_nope"), error::toString);
    }

    private String grpcRefusal(CreateKeyRequest request) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", h.controlPlane.port()).usePlaintext().build();
        try {
            return org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                    () -> stub(channel).createKey(request)).getStatus().getDescription();
        } finally {
            channel.shutdownNow();
        }
    }

    private AdminServiceGrpc.AdminServiceBlockingStub stub(ManagedChannel channel) {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + h.adminToken);
        return AdminServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }
}
