package dev.keymeter.lifecycle;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.Secret;
import dev.keymeter.keys.TokenFormat;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * Turns a bearer token into a {@link Caller}. The token is digested at once and never kept; every
 * refusal gives the same message, so a caller learns nothing about which keys exist.
 */
public final class Authenticator {

    private static final String REFUSED = "invalid, disabled, revoked or expired API key";

    private final AuditedStore audited;
    private final Clock clock;

    public Authenticator(AuditedStore audited, Clock clock) {
        this.audited = Objects.requireNonNull(audited, "audited");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Caller authenticate(String token) {
        if (token == null || token.isEmpty()) {
            throw AdminFailure.unauthenticated("missing API key: send 'authorization: Bearer <admin key>'");
        }
        if (TokenFormat.hasKeymeterPrefix(token) && !TokenFormat.isWellFormed(token)) {
            throw AdminFailure.unauthenticated(REFUSED);
        }
        byte[] digest = TokenFormat.sha256(token);
        ApiKey key = audited.store().read(r -> r.findKeyByDigest(digest))
                .orElseThrow(() -> AdminFailure.unauthenticated(REFUSED));
        Instant now = clock.instant();
        if (key.status() != KeyStatus.ACTIVE || !key.isUsableAt(now) || !secretLive(key, digest, now)) {
            throw AdminFailure.unauthenticated(REFUSED);
        }
        return Caller.of(key);
    }

    private static boolean secretLive(ApiKey key, byte[] digest, Instant now) {
        for (Secret s : key.secrets()) {
            if (MessageDigest.isEqual(s.sha256(), digest)) {
                return s.isLiveAt(now);
            }
        }
        return false;
    }
}
