package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.TokenFormat;
import dev.keymeter.replica.ReplicaEntry;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Check remembers per hot key, in the memo of a real cached entry (Chronicle replica behind the
 * hot-entry cache): never a response built for other settings or token headers, never a use lost.
 */
class HotKeyTest {

    @TempDir
    Path dir;
    private CheckHarness harness;

    @AfterEach
    void close() throws InterruptedException {
        if (harness != null) {
            harness.close();
        }
    }

    /** A key as a hot request sees it: looked up through the cache, so it carries its copy's memo. */
    private ReplicaEntry cachedKey(String keyId) {
        return cachedKey(keyId, TestKeys.userToken());
    }

    private ReplicaEntry cachedKey(String keyId, String token) {
        harness = new CheckHarness(dir);
        harness.add(TestKeys.projectKey(keyId, token));
        ReplicaEntry key = new ReplicaEntry();
        assertTrue(harness.replica.lookup(TokenFormat.sha256(token), key));
        assertNotNull(key.memo);
        return key;
    }

    /**
     * Within one resolution of the time the tracker holds, the tracker is not called; the time drained
     * is then never more than one resolution older than the key's true last use, even when a drain
     * retired the key's cell in between.
     */
    @Test
    void recordUse_skipsTheTrackerWithinOneResolution_andReportsNoMoreThanOneResolutionLate() {
        LastUsedTracker tracker = new LastUsedTracker(1_000);
        ReplicaEntry key = cachedKey("key_a");
        HotKey.recordUse(key, tracker, 10_000);
        assertEquals(Map.of("key_a", Instant.ofEpochMilli(10_000)), tracker.drain());
        HotKey.recordUse(key, tracker, 10_500); // skipped: the tracker holds 10,000
        assertEquals(Map.of(), tracker.drain()); // nothing new: the cell is retired
        HotKey.recordUse(key, tracker, 10_999); // skipped: 10,000 was reported, 999 ms before this use
        HotKey.recordUse(key, tracker, 11_000);
        assertEquals(Map.of("key_a", Instant.ofEpochMilli(11_000)), tracker.drain());
    }

    @Test
    void recordUse_uncachedEntry_alwaysCallsTheTracker() {
        LastUsedTracker tracker = new LastUsedTracker(1_000);
        ReplicaEntry key = cachedKey("key_a");
        key.memo = null;
        HotKey.recordUse(key, tracker, 5_000);
        HotKey.recordUse(key, tracker, 6_000);
        assertEquals(Map.of("key_a", Instant.ofEpochMilli(6_000)), tracker.drain());
    }

    @Test
    void allowed_isServedOnlyForTheSettingsAndTokenHeadersItWasFirstBuiltFor() {
        ReplicaEntry key = cachedKey("key_a");
        CompiledSettings settings = new CompiledSettings(CheckSettings.defaults());
        CheckReply response = CheckReply.encodedOnce(CheckResponse.newBuilder().build());
        assertNull(HotKey.allowed(key, settings, 1, null));
        HotKey.rememberAllowed(key, settings, 1, response);
        assertSame(response, HotKey.allowed(key, settings, 1, null));
        assertNull(HotKey.allowed(key, settings, 2, null)); // another token header sent: another removal list
        assertNull(HotKey.allowed(key, new CompiledSettings(CheckSettings.defaults()), 1, null)); // reloaded settings

        HotKey.rememberAllowed(key, settings, 2, CheckReply.of(CheckResponse.newBuilder().build())); // the first context keeps the memo
        assertSame(response, HotKey.allowed(key, settings, 1, null));
        assertNull(HotKey.allowed(key, settings, 2, null));

        key.memo = null;
        assertNull(HotKey.allowed(key, settings, 1, null));
    }

    /**
     * The next lookup of a key whose response was remembered hints that response; the hint is used only
     * when it is the remembered response for this request's context, never in its place.
     */
    @Test
    void hinted_isTheRememberedResponse_andIsNeverServedInsteadOfIt() {
        String token = TestKeys.userToken();
        ReplicaEntry key = cachedKey("key_a", token);
        assertNull(HotKey.hinted(key)); // nothing remembered yet
        CompiledSettings settings = new CompiledSettings(CheckSettings.defaults());
        CheckReply response = CheckReply.encodedOnce(CheckResponse.newBuilder().build());
        HotKey.rememberAllowed(key, settings, 1, response);

        ReplicaEntry again = new ReplicaEntry();
        assertTrue(harness.replica.lookup(TokenFormat.sha256(token), again));
        assertSame(response, HotKey.hinted(again));
        assertSame(response, HotKey.allowed(again, settings, 1, HotKey.hinted(again)));
        assertNull(HotKey.allowed(again, settings, 2, HotKey.hinted(again))); // another context: not the hint either

        CheckReply foreign = CheckReply.encodedOnce(CheckResponse.newBuilder()
                .setStatus(com.google.rpc.Status.newBuilder().setCode(7)).build());
        again.memoHint = foreign; // a stale hint, as a claim racing with a refill can leave
        assertSame(foreign, HotKey.hinted(again));
        assertSame(response, HotKey.allowed(again, settings, 1, foreign));
        assertNull(HotKey.allowed(again, settings, 2, foreign));

        again.memoHint = "not a reply";
        assertNull(HotKey.hinted(again));
    }
}
