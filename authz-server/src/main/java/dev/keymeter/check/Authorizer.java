package dev.keymeter.check;

import dev.keymeter.keys.KeyStatus;
import dev.keymeter.quota.CounterStoreFullException;
import dev.keymeter.keys.LimitBound;
import dev.keymeter.quota.QuotaDecision;
import dev.keymeter.usage.Budgets;
import dev.keymeter.usage.PriceTable;
import dev.keymeter.replica.KeyReplica;
import dev.keymeter.replica.ReplicaEntry;
import dev.keymeter.routes.PathProblems;
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
 *   <li>the path: a dot-segment (plain or encoded), a backslash or an encoded slash — 400 naming the
 *       problem ({@link PathProblems});
 *   <li>the route's {@code (resource, access)} ({@link dev.keymeter.routes.RouteResolver}) — none: the
 *       configured 403 or 404;
 *   <li>the key's level on the resource — below the access: 403 naming both;
 *   <li>for a project key, the project a {@code {project}} route segment names — another: 403 naming it;
 *   <li>for a key with limits, its budgets ({@link Budgets}): a model without a price, or one the body
 *       may name but that cannot be read (after the cut, a bad escape), while the key has a cost limit
 *       (policy refuse) — 403; a reached limit — 429 ({@link QuotaResponses}); otherwise the
 *       request is counted and its estimate (from the body, {@link RequestEstimate}) reserved;
 *   <li>otherwise allowed, with identity headers, rate-limit headers and dynamic metadata
 *       ({@link AllowResponses}, {@link QuotaResponses}).
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
    /** The counters, or {@code null} when this authorizer enforces no limits (tests of the other steps). */
    private final Budgets budgets;
    private volatile CompiledSettings settings;

    private Authorizer(Builder parts) {
        this.replica = parts.replica;
        this.clock = parts.clock;
        this.settings = new CompiledSettings(parts.settings);
        this.listener = parts.listener;
        this.lastUsed = parts.lastUsed;
        this.budgets = parts.budgets;
    }

    /**
     * An authorizer deciding from {@code replica} at {@code clock}'s time under {@code settings}; by
     * default with no listener, a fresh {@link LastUsedTracker} and no limits enforced.
     */
    public static Builder builder(KeyReplica replica, Clock clock, CheckSettings settings) {
        return new Builder(replica, clock, settings);
    }

    /** What an {@link Authorizer} decides with, beyond the three it cannot do without. */
    public static final class Builder {
        private final KeyReplica replica;
        private final Clock clock;
        private final CheckSettings settings;
        private DecisionListener listener = DecisionListener.NONE;
        private LastUsedTracker lastUsed;
        private Budgets budgets;

        private Builder(KeyReplica replica, Clock clock, CheckSettings settings) {
            this.replica = Objects.requireNonNull(replica, "replica");
            this.clock = Objects.requireNonNull(clock, "clock");
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /** Told of every decision (metrics, the denial log). */
        public Builder listener(DecisionListener decisions) {
            this.listener = Objects.requireNonNull(decisions, "listener");
            return this;
        }

        /** Where authenticated requests are noted for the last-used reports. */
        public Builder lastUsed(LastUsedTracker tracker) {
            this.lastUsed = Objects.requireNonNull(tracker, "lastUsed");
            return this;
        }

        /** Enforces each key's limits with {@code counters}; {@code null} (the default): none enforced. */
        public Builder budgets(Budgets counters) {
            this.budgets = counters;
            return this;
        }

        public Authorizer build() {
            if (lastUsed == null) {
                lastUsed = new LastUsedTracker();
            }
            return new Authorizer(this);
        }
    }

    /**
     * Replaces the settings (e.g. a reloaded route table); requests already deciding finish with the old
     * ones. Hot keys' remembered responses belong to the old settings, so the replica's cached copies
     * (and their memos) are dropped with them.
     */
    public void update(CheckSettings next) {
        settings = new CompiledSettings(Objects.requireNonNull(next, "settings"));
        replica.dropCachedCopies();
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

    /** The decision for {@code request}, as its response message. */
    public CheckResponse check(CheckRequest request) {
        return decide(request).response();
    }

    /**
     * The decision for {@code request}, as it is sent: shared replies (a hot key's allow, the constant
     * denials) carry their wire bytes, encoded once ({@link CheckReply}).
     */
    public CheckReply decide(CheckRequest request) {
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
        CheckReply hinted = HotKey.hinted(key); // starts loading a hot key's reply now (HotKey#hinted)
        long now = clock.millis();
        if (!key.authenticatesAt(now)) {
            return denied(current, whyNot(key, now), key.keyId);
        }
        HotKey.recordUse(key, lastUsed, now);
        String pathProblem = PathProblems.of(headers.path());
        if (pathProblem != null) {
            listener.denied(DenialReason.MALFORMED_REQUEST, key.keyId);
            return CheckReply.of(BadRequest.path(pathProblem).response(key.keyId));
        }
        ResourceAccess need = current.routes().resolve(attributes, headers.method(), headers.path());
        if (need == null) {
            return denied(current, DenialReason.UNKNOWN_ROUTE, key.keyId);
        }
        if (!key.levelOf(need.resource()).grants(need.access())) {
            listener.denied(DenialReason.PERMISSION_DENIED, key.keyId);
            return current.denials().insufficient(need, key.keyId);
        }
        if (key.projectId != null && current.routes().table().namesProjects()) {
            String project = current.routes().projectOf(attributes, headers.method(), headers.path());
            if (project != null && !project.equals(key.projectId)) {
                listener.denied(DenialReason.PROJECT_MISMATCH, key.keyId);
                return CheckReply.of(ProjectDenial.response(project, key.keyId));
            }
        }
        CheckReply allowed = AllowResponses.allow(key, headers, current, hinted);
        return budgets == null ? allow(key, need, allowed)
                : metered(key, need, attributes.getRequest().getHttp(), allowed, now, scratch.rateHeaders);
    }

    private CheckReply allow(ReplicaEntry key, ResourceAccess need, CheckReply reply) {
        listener.allowed(key.keyId, need);
        return reply;
    }

    /**
     * The budget step: reads the body's model and output limit, refuses what the price policy cannot
     * meter, then counts the request (429 when a limit is reached) and reserves its estimate.
     */
    private CheckReply metered(ReplicaEntry key, ResourceAccess need, AttributeContext.HttpRequest http,
            CheckReply allowed, long now, HeaderCache rateHeaders) {
        if (!key.hasLimits()) {
            String model = RequestEstimate.modelOnly(http).model();
            return allow(key, need, model == null ? allowed : allowed.withModel(model));
        }
        RequestEstimate estimate = RequestEstimate.of(http);
        String model = estimate.model();
        long costEstimate = 0;
        if (key.costLimitMicroUsd != ReplicaEntry.NO_LIMIT) {
            PriceTable prices = budgets.prices();
            PriceTable.Price price = prices.priceOf(model);
            boolean refuseUnpriced = prices.policy() == PriceTable.UnpricedPolicy.REFUSE;
            if (model != null && price == null && refuseUnpriced) {
                listener.denied(DenialReason.MODEL_NOT_PRICED, key.keyId);
                return CheckReply.of(QuotaResponses.modelNotPriced(key.keyId));
            }
            if (estimate.modelUnknown() && refuseUnpriced) { // a model that cannot be read is not priced either
                listener.denied(DenialReason.MODEL_NOT_PRICED, key.keyId);
                return CheckReply.of(QuotaResponses.modelUnreadable(key.keyId));
            }
            if (budgets.spendUnknown(key)) {
                listener.denied(DenialReason.MODEL_NOT_PRICED, key.keyId);
                return CheckReply.of(QuotaResponses.spendUnknown(key.keyId));
            }
            if (estimate.tokens() > 0) {
                costEstimate = Math.max(0, prices.costOf(price, estimate.inputTokens(), estimate.outputTokens()));
            }
        }
        Budgets.Admission admission;
        try {
            // Both estimates are saturated to what a budget holds: a huge one is refused (429), never an error.
            admission = budgets.admit(key, model, estimate.tokens(), LimitBound.COST_MICRO_USD.saturate(costEstimate), now);
        } catch (CounterStoreFullException full) {
            listener.denied(DenialReason.COUNTERS_FULL, key.keyId);
            return CheckReply.of(QuotaResponses.countersFull(key.keyId));
        }
        QuotaDecision decision = admission.decision();
        if (!decision.admitted()) {
            listener.denied(QuotaResponses.reasonOf(decision.refusedBy()), key.keyId);
            return CheckReply.of(QuotaResponses.refused(key, decision, now, rateHeaders));
        }
        return allow(key, need, CheckReply.of(QuotaResponses.allowed(allowed.response(), key, decision,
                admission.reservationId(), model, now, rateHeaders)));
    }

    private CheckReply anonymous(CompiledSettings current, DenialReason reason) {
        listener.denied(reason, null);
        return current.denials().anonymous(reason);
    }

    private CheckReply denied(CompiledSettings current, DenialReason reason, String keyId) {
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
