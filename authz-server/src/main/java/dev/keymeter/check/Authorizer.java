package dev.keymeter.check;

import dev.keymeter.keys.KeyStatus;
import dev.keymeter.replica.KeyReplica;
import dev.keymeter.replica.ReplicaEntry;
import dev.keymeter.routes.ResourceAccess;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.time.Clock;
import java.util.Objects;

/**
 * The Check decision, as a function of the request, the key replica and the clock:
 *
 * <ol>
 *   <li>the token, from the first configured header that carries one — none: 401;
 *   <li>its shape: longer than 512 characters, not printable ASCII, or a keymeter prefix with a bad
 *       length or checksum — 401 with no lookup;
 *   <li>the key, by the SHA-256 of the token — unknown, disabled, revoked, expired, or a rotated-out
 *       secret past its grace: 401 (one message for all; the precise {@link DenialReason} goes to the
 *       listener and the dynamic metadata);
 *   <li>the route's {@code (resource, access)} ({@link dev.keymeter.routes.RouteResolver}) — none: the
 *       configured 403 or 404;
 *   <li>the key's level on the resource — below the access: 403 naming both;
 *   <li>otherwise allowed, with identity headers and dynamic metadata ({@link AllowResponses}).
 * </ol>
 *
 * <p>Authentication comes first, so that a caller without a valid key learns nothing about routes.
 * Every authenticated request is noted in the {@link LastUsedTracker}, including one then refused for
 * its route or permission: the key was used.
 * Every outcome is a {@link CheckResponse}; nothing here throws for a denial. Admin keys pass the same
 * permission check as project keys: they act on every project, not beyond their preset.
 *
 * <p>Thread-safe: any number of threads may call {@link #check} at once.
 */
public final class Authorizer {

    private final KeyReplica replica;
    private final Clock clock;
    private final DecisionListener listener;
    private final LastUsedTracker lastUsed;
    private volatile CompiledSettings settings;

    /** With no listener and a fresh {@link LastUsedTracker}. */
    public Authorizer(KeyReplica replica, Clock clock, CheckSettings settings) {
        this(replica, clock, settings, DecisionListener.NONE, new LastUsedTracker());
    }

    public Authorizer(KeyReplica replica, Clock clock, CheckSettings settings, DecisionListener listener,
            LastUsedTracker lastUsed) {
        this.replica = Objects.requireNonNull(replica, "replica");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.lastUsed = Objects.requireNonNull(lastUsed, "lastUsed");
        this.settings = new CompiledSettings(Objects.requireNonNull(settings, "settings"));
    }

    /** Replaces the settings (e.g. a reloaded route table); requests already deciding finish with the old ones. */
    public void update(CheckSettings next) {
        settings = new CompiledSettings(Objects.requireNonNull(next, "settings"));
    }

    public CheckSettings settings() {
        return settings.settings();
    }

    public DecisionListener listener() {
        return listener;
    }

    /** Where authenticated requests are noted; the background reporter drains it. */
    public LastUsedTracker lastUsed() {
        return lastUsed;
    }

    public CheckResponse check(CheckRequest request) {
        CompiledSettings current = settings;
        Scratch scratch = Scratch.forThisThread();
        AttributeContext attributes = request.getAttributes();
        RequestHeaders headers = scratch.headers;
        headers.read(attributes.getRequest().getHttp(), current.tokenHeaders());
        if (!headers.findToken()) {
            return anonymous(current, DenialReason.MISSING_TOKEN);
        }
        DenialReason badShape = scratch.token.load(headers.tokenValue(), headers.tokenFrom(), headers.tokenTo());
        if (badShape != null) {
            return anonymous(current, badShape);
        }
        ReplicaEntry key = scratch.key;
        if (!replica.lookup(scratch.token.sha256(), key)) {
            return anonymous(current, DenialReason.UNKNOWN_KEY);
        }
        long now = clock.millis();
        if (!key.authenticatesAt(now)) {
            return denied(current, whyNot(key, now), key.keyId);
        }
        lastUsed.record(key.keyId, now);
        ResourceAccess need = current.routes().resolve(attributes, headers.method(), headers.path());
        if (need == null) {
            return denied(current, DenialReason.UNKNOWN_ROUTE, key.keyId);
        }
        if (!key.levelOf(need.resource()).grants(need.access())) {
            listener.denied(DenialReason.PERMISSION_DENIED, key.keyId);
            return current.denials().insufficient(need, key.keyId);
        }
        listener.allowed(key.keyId, need);
        return AllowResponses.allow(key, headers, current, scratch.allowed);
    }

    private CheckResponse anonymous(CompiledSettings current, DenialReason reason) {
        listener.denied(reason, null);
        return current.denials().anonymous(reason);
    }

    private CheckResponse denied(CompiledSettings current, DenialReason reason, String keyId) {
        listener.denied(reason, keyId);
        return current.denials().forKey(reason, keyId);
    }

    /** Which of the conditions of {@link ReplicaEntry#authenticatesAt} failed, status first. */
    private static DenialReason whyNot(ReplicaEntry key, long now) {
        if (key.status == KeyStatus.DISABLED) {
            return DenialReason.DISABLED;
        }
        if (key.status != KeyStatus.ACTIVE) {
            return DenialReason.REVOKED;
        }
        return now >= key.keyExpiresAtMillis ? DenialReason.EXPIRED : DenialReason.SECRET_EXPIRED;
    }
}
