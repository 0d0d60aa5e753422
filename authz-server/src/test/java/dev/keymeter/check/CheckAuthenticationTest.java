package dev.keymeter.check;

import static dev.keymeter.check.Answers.error;
import static dev.keymeter.check.Answers.header;
import static dev.keymeter.check.Answers.httpStatus;
import static dev.keymeter.check.Answers.metadata;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.gson.JsonObject;
import com.google.rpc.Code;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.keys.TokenType;
import dev.keymeter.proto.admin.v1.KeyStatus;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every way a request fails to authenticate, and every way a key may be presented. */
class CheckAuthenticationTest {

    private static final String CHAT = "/v1/chat/completions";

    @TempDir
    Path dir;
    private CheckHarness h;

    @BeforeEach
    void start() {
        h = new CheckHarness(dir);
    }

    @AfterEach
    void stop() throws InterruptedException {
        h.close();
    }

    @Test
    void check_noTokenHeader_is401AskingForKeyWithoutLookup() {
        CheckResponse r = h.check(Requests.withHeaders("POST", CHAT, Map.of("content-type", "application/json")));
        JsonObject error = assert401(r, DenialReason.MISSING_TOKEN);
        assertEquals("No API key provided. Send it in the authorization header as 'Bearer <key>' or in the"
                + " x-api-key header.", error.get("message").getAsString());
        assertEquals(0, h.replica.lookups());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "", "Bearerkmu_x"})
    void check_authorizationWithoutBearerToken_is401Missing(String value) {
        assert401(h.check(Requests.withHeaders("POST", CHAT, Map.of("authorization", value))),
                DenialReason.MISSING_TOKEN);
    }

    @Test
    void check_keymeterPrefixWithBadChecksum_is401WithoutLookup() {
        String token = TestKeys.userToken();
        String tampered = token.substring(0, 39) + (token.charAt(39) == 'a' ? 'b' : 'a');
        assertInvalidWithoutLookup(tampered, DenialReason.MALFORMED_TOKEN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kmu_short", "kma_", "kms_0123456789012345678901234567890123456789"})
    void check_keymeterPrefixWithBadLength_is401WithoutLookup(String token) {
        assertInvalidWithoutLookup(token, DenialReason.MALFORMED_TOKEN);
    }

    @Test
    void check_tokenLongerThan512_is401WithoutLookup() {
        assertInvalidWithoutLookup("x".repeat(513), DenialReason.TOKEN_TOO_LONG);
    }

    @Test
    void check_tokenWithInnerSpace_is401WithoutLookup() {
        assertInvalidWithoutLookup("sk-legacy part2", DenialReason.MALFORMED_TOKEN);
    }

    @Test
    void check_unknownWellFormedKey_is401AfterOneLookup() {
        CheckResponse r = h.check(Requests.bearer("POST", CHAT, TestKeys.userToken()));
        assert401(r, DenialReason.UNKNOWN_KEY);
        assertEquals(1, h.replica.lookups());
        assertNull(metadata(r, DynamicMetadata.KEY_ID), "no key to name");
    }

    @Test
    void check_disabledKey_is401NamingKeyInMetadataOnly() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_dis", token).setStatus(KeyStatus.KEY_STATUS_DISABLED));
        CheckResponse r = h.check(Requests.bearer("POST", CHAT, token));
        assert401(r, DenialReason.DISABLED);
        assertEquals("key_dis", metadata(r, DynamicMetadata.KEY_ID));
        assertEquals("denied DISABLED key_dis", h.listener.last());
    }

    @Test
    void check_revokedKey_is401() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_rev", token).setStatus(KeyStatus.KEY_STATUS_REVOKED));
        CheckResponse r = h.check(Requests.bearer("POST", CHAT, token));
        assert401(r, DenialReason.REVOKED);
        assertEquals("key_rev", metadata(r, DynamicMetadata.KEY_ID));
    }

    @Test
    void check_expiringKey_allowedOneMillisecondBeforeExpiryRefusedAtExpiry() {
        String token = TestKeys.userToken();
        Instant expiry = TestKeys.NOW.plus(Duration.ofDays(1));
        h.add(TestKeys.projectKey("key_exp", token).setExpireTime(TestKeys.timestamp(expiry)));
        h.clock.set(expiry.minusMillis(1));
        assertEquals(200, httpStatus(h.check(Requests.bearer("POST", CHAT, token))));
        h.clock.set(expiry);
        CheckResponse r = h.check(Requests.bearer("POST", CHAT, token));
        assert401(r, DenialReason.EXPIRED);
        assertEquals("key_exp", metadata(r, DynamicMetadata.KEY_ID));
    }

    @Test
    void check_rotatedOutSecret_allowedWithinGraceRefusedAfterWhileCurrentWorks() {
        String current = TestKeys.userToken();
        String old = TestKeys.userToken();
        Instant graceEnd = TestKeys.NOW.plus(Duration.ofHours(24));
        h.add(TestKeys.projectKey("key_rot", current).addSecrets(TestKeys.secret(old, graceEnd)));
        h.clock.set(graceEnd.minusMillis(1));
        assertEquals(200, httpStatus(h.check(Requests.bearer("POST", CHAT, old))));
        h.clock.set(graceEnd);
        assert401(h.check(Requests.bearer("POST", CHAT, old)), DenialReason.SECRET_EXPIRED);
        assertEquals(200, httpStatus(h.check(Requests.bearer("POST", CHAT, current))));
    }

    @Test
    void check_everyKeyRefusal_givesClientTheSameAnswer() {
        String disabled = TestKeys.userToken();
        String expired = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_d", disabled).setStatus(KeyStatus.KEY_STATUS_DISABLED));
        h.add(TestKeys.projectKey("key_e", expired).setExpireTime(TestKeys.timestamp(TestKeys.NOW)));
        List<CheckResponse> answers = List.of(
                h.check(Requests.bearer("POST", CHAT, TestKeys.userToken())),
                h.check(Requests.bearer("POST", CHAT, disabled)),
                h.check(Requests.bearer("POST", CHAT, expired)),
                h.check(Requests.bearer("POST", CHAT, "kmu_bad")),
                h.check(Requests.bearer("POST", CHAT, "sk-unknown-legacy-token")));
        for (CheckResponse r : answers) {
            assertEquals(answers.get(0).getDeniedResponse(), r.getDeniedResponse());
            assertEquals(DenialResponses.INVALID_KEY_MESSAGE, error(r).get("message").getAsString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer %s", "bearer %s", "BEARER  %s ", "\tBearer\t%s"})
    void check_bearerSchemeInAnyCaseAndSpacing_authenticates(String format) {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        CheckResponse r = h.check(Requests.withHeaders("POST", CHAT, Map.of("authorization", format.formatted(token))));
        assertEquals(200, httpStatus(r));
    }

    @Test
    void check_xApiKeyHeader_authenticates() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", token));
        CheckResponse r = h.check(Requests.withHeaders("POST", CHAT, Map.of("x-api-key", token)));
        assertEquals(200, httpStatus(r));
        assertEquals("key_1", metadata(r, DynamicMetadata.KEY_ID));
    }

    @Test
    void check_authorizationAndXApiKey_authorizationIsPreferred() {
        String good = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_1", good));
        String unknown = TestKeys.userToken();
        assertEquals(200, httpStatus(h.check(Requests.withHeaders("POST", CHAT,
                Map.of("authorization", "Bearer " + good, "x-api-key", unknown)))));
        assertEquals(401, httpStatus(h.check(Requests.withHeaders("POST", CHAT,
                Map.of("authorization", "Bearer " + unknown, "x-api-key", good)))));
        assertEquals(200, httpStatus(h.check(Requests.withHeaders("POST", CHAT,
                Map.of("authorization", "Basic abc", "x-api-key", good)))), "a non-Bearer authorization carries no key");
    }

    @Test
    void check_rawHeaderMapEncoding_authenticatesFromRawValueAndPseudoHeaders() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_raw", token));
        CheckResponse r = h.check(Requests.withRawHeaders("POST", CHAT, "authorization", "Bearer " + token));
        assertEquals(200, httpStatus(r));
        assertEquals("key_raw", metadata(r, DynamicMetadata.KEY_ID));
        assertEquals(200, httpStatus(h.check(Requests.withRawHeaders("POST", CHAT, "X-Api-Key", token))));
        assert401(h.check(Requests.withRawHeaders("POST", CHAT, "authorization", "Bearer kmu_bad")),
                DenialReason.MALFORMED_TOKEN);
    }

    @Test
    void check_headerMapWithStringValue_authenticates() {
        String token = TestKeys.userToken();
        h.add(TestKeys.projectKey("key_val", token));
        var request = Requests.withRawHeaders("POST", CHAT);
        var http = request.getAttributes().getRequest().getHttp().toBuilder();
        http.getHeaderMapBuilder().addHeaders(io.envoyproxy.envoy.config.core.v3.HeaderValue.newBuilder()
                .setKey("authorization").setValue("Bearer " + token));
        var withValue = request.toBuilder();
        withValue.getAttributesBuilder().getRequestBuilder().setHttp(http);
        assertEquals(200, httpStatus(h.check(withValue.build())));
    }

    @Test
    void check_legacyToken_isLookedUpByDigestAndAuthenticates() {
        String legacy = "sk-proj-Legacy_Token.0123456789";
        h.add(TestKeys.projectKey("key_legacy", legacy).setLegacy(true));
        CheckResponse r = h.check(Requests.bearer("POST", CHAT, legacy));
        assertEquals(200, httpStatus(r));
        assertEquals("key_legacy", metadata(r, DynamicMetadata.KEY_ID));
    }

    @Test
    void check_configuredTokenHeaders_onlyThoseAreRead() throws InterruptedException {
        h.close();
        h = new CheckHarness(dir.resolve("custom"),
                CheckSettings.defaults().withTokenHeaders(List.of("X-Gateway-Key")), true);
        String token = TokenFormat.generate(TokenType.SERVICE_ACCOUNT);
        h.add(TestKeys.serviceKey("key_sa", token));
        assertEquals(200, httpStatus(h.check(Requests.withHeaders("POST", CHAT, Map.of("x-gateway-key", token)))));
        CheckResponse r = h.check(Requests.bearer("POST", CHAT, token));
        assertEquals("No API key provided. Send it in the x-gateway-key header.", assert401(r,
                DenialReason.MISSING_TOKEN).get("message").getAsString());
    }

    private void assertInvalidWithoutLookup(String token, DenialReason reason) {
        CheckResponse r = h.check(Requests.bearer("POST", CHAT, token));
        JsonObject error = assert401(r, reason);
        assertEquals(DenialResponses.INVALID_KEY_MESSAGE, error.get("message").getAsString());
        assertEquals(0, h.replica.lookups(), "refused before any lookup");
    }

    /** The common shape of every 401; returns the error object for further checks. */
    private JsonObject assert401(CheckResponse r, DenialReason reason) {
        assertEquals(Code.UNAUTHENTICATED_VALUE, r.getStatus().getCode());
        assertEquals(401, httpStatus(r));
        assertEquals("Bearer", header(r.getDeniedResponse().getHeadersList(), "www-authenticate"));
        JsonObject error = error(r);
        assertEquals("invalid_request_error", error.get("type").getAsString());
        assertEquals("invalid_api_key", error.get("code").getAsString());
        assertEquals(reason.label(), metadata(r, DynamicMetadata.DENIAL_REASON));
        assertEquals("denied " + reason, h.listener.last().substring(0, h.listener.last().lastIndexOf(' ')));
        return error;
    }
}
