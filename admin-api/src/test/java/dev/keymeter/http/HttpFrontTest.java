package dev.keymeter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener itself: where it is, the redirect, paths nobody serves, and off. */
class HttpFrontTest {

    @TempDir
    Path dir;
    HttpHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new HttpHarness(dir);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void listKeys_bootstrapAdmin_listsTheBootstrapKey() {
        JsonObject page = h.ok("GET", "/v1/keys", null);
        assertEquals(1, page.getAsJsonArray("keys").size());
        JsonObject key = page.getAsJsonArray("keys").get(0).getAsJsonObject();
        assertEquals(h.controlPlane.bootstrapKey().orElseThrow().key().id(), key.get("id").getAsString());
        assertEquals("KEY_KIND_ADMIN", key.get("kind").getAsString());
    }

    @Test
    void root_redirectsToTheConsole() {
        HttpResponse<String> r = h.get("/", null);
        assertEquals(302, r.statusCode());
        assertEquals("/console/", r.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void unknownPath_is404NamingThePath() {
        JsonObject error = HttpHarness.error(h.get("/nothing/here", h.adminToken), 404, "NOT_FOUND");
        assertTrue(error.get("message").getAsString().contains("/nothing/here"), error::toString);
        error = HttpHarness.error(h.get("/v1/nothing", h.adminToken), 404, "NOT_FOUND");
        assertTrue(error.get("message").getAsString().contains("/v1/nothing"), error::toString);
    }

    @Test
    void consoleUrl_namesTheBoundPort() {
        assertEquals("http://127.0.0.1:" + h.controlPlane.consolePort() + "/console/",
                h.controlPlane.consoleUrl().orElseThrow());
    }

    @Test
    void mountThatFails_is500WithoutDetails_andOtherMountsAreServed() throws Exception {
        HttpMount broken = new HttpMount() {
            @Override
            public String prefix() {
                return "/broken/";
            }

            @Override
            public void handle(com.sun.net.httpserver.HttpExchange exchange) {
                throw new IllegalStateException("a detail for the log only");
            }
        };
        HttpMount longer = new HttpMount() {
            @Override
            public String prefix() {
                return "/broken/but-not-here";
            }

            @Override
            public void handle(com.sun.net.httpserver.HttpExchange exchange) throws java.io.IOException {
                JsonReplies.send(exchange, 200, "{}");
            }
        };
        try (HttpFront front = HttpFront.start(new java.net.InetSocketAddress("127.0.0.1", 0), null,
                java.util.List.of(broken, longer))) {
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + front.port() + "/broken/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonObject error = HttpHarness.error(r, 500, "INTERNAL");
            assertEquals("internal error; see the control plane's log", error.get("message").getAsString());
            assertEquals(200, client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    "http://127.0.0.1:" + front.port() + "/broken/but-not-here")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "the longest prefix wins");
        }
    }

    @Test
    void portInUse_failsTheStartNamingTheFlag_andReleasesTheOtherPorts() throws Exception {
        java.net.InetSocketAddress taken = new java.net.InetSocketAddress("127.0.0.1", h.controlPlane.consolePort());
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("second")).withPort(0)
                        .withConsoleAddress(taken)));
        assertTrue(e.getMessage().startsWith("--console-addr 127.0.0.1:" + taken.getPort() + ": cannot listen"),
                e.getMessage());
        assertEquals(null, e.getCause(), "the message is the one shown");
        try (ControlPlane again = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("second")).withPort(0))) {
            assertTrue(again.port() > 0, "the failed start closed its store and released its gRPC port");
        }
    }

    @Test
    void consoleAddress_null_startsNoListener() throws Exception {
        try (ControlPlane off = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("off")).withPort(0))) {
            assertEquals(-1, off.consolePort());
            assertTrue(off.consoleUrl().isEmpty());
        }
    }
}
