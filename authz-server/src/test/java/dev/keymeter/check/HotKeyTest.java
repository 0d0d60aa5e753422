package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.keymeter.replica.EntryMemo;
import dev.keymeter.replica.ReplicaEntry;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What Check remembers per hot key: never a response built for other settings, never a use lost. */
class HotKeyTest {

    private static ReplicaEntry cachedKey(String keyId) {
        ReplicaEntry key = new ReplicaEntry();
        key.keyId = keyId;
        key.memo = new EntryMemo();
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
        LastUsedTracker tracker = new LastUsedTracker(1);
        ReplicaEntry key = cachedKey("key_a");
        key.memo = null;
        assertNull(HotKey.recordUse(key, tracker, 5_000));
        assertNull(HotKey.recordUse(key, tracker, 6_000));
        assertEquals(Map.of("key_a", Instant.ofEpochMilli(6_000)), tracker.drain());
    }

    @Test
    void allowed_isServedOnlyForTheSettingsAndTokenHeadersItWasBuiltFor() {
        ReplicaEntry key = cachedKey("key_a");
        CompiledSettings settings = new CompiledSettings(CheckSettings.defaults());
        CheckResponse response = CheckResponse.newBuilder().build();
        HotKey.rememberAllowed(key, HotKey.recordUse(key, new LastUsedTracker(), 1_000), settings, 1, response);
        HotKey hot = HotKey.recordUse(key, new LastUsedTracker(), 1_000);
        assertSame(response, HotKey.allowed(hot, settings, 1));
        assertNull(HotKey.allowed(hot, settings, 2)); // another token header sent: another removal list
        assertNull(HotKey.allowed(hot, new CompiledSettings(CheckSettings.defaults()), 1)); // reloaded settings
        assertNull(HotKey.allowed(null, settings, 1));
    }
}
