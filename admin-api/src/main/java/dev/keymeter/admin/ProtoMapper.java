package dev.keymeter.admin;

import dev.keymeter.audit.AuditEntry;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.Project;
import dev.keymeter.lifecycle.KeyQueries;
import dev.keymeter.proto.admin.v1.AuditRecord;
import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.lifecycle.UsageBoard;
import dev.keymeter.proto.admin.v1.KeyUsage;
import dev.keymeter.proto.admin.v1.SidecarUsage;
import dev.keymeter.proto.admin.v1.UsageSample;
import dev.keymeter.proto.admin.v1.Member;
import dev.keymeter.proto.admin.v1.ReplicationStatus;
import dev.keymeter.proto.admin.v1.SidecarReplication;
import dev.keymeter.proto.admin.v1.UsageLine;
import java.time.Instant;

import static dev.keymeter.wire.WireValues.kind;
import static dev.keymeter.wire.WireValues.limits;
import static dev.keymeter.wire.WireValues.nullToEmpty;
import static dev.keymeter.wire.WireValues.owner;
import static dev.keymeter.wire.WireValues.permissions;
import static dev.keymeter.wire.WireValues.resetPeriod;
import static dev.keymeter.wire.WireValues.status;
import static dev.keymeter.wire.WireValues.timestamp;

/** Domain values → admin API messages. Never emits a secret: only display tokens. */
final class ProtoMapper {
    private ProtoMapper() {
    }

    /** The key as the API shows it; {@code lastUsed} is null when no sidecar has reported it. */
    static Key key(ApiKey k, Instant now, Instant lastUsed) {
        Key key = key(k, now);
        return lastUsed == null ? key : key.toBuilder().setLastUsedTime(timestamp(lastUsed)).build();
    }

    static Key key(ApiKey k, Instant now) {
        Key.Builder b = Key.newBuilder()
                .setId(k.id())
                .setName(k.name())
                .setKind(kind(k.kind()))
                .setOwnerType(owner(k.ownerType()))
                .setOwnerUser(nullToEmpty(k.ownerUser()))
                .setProjectId(nullToEmpty(k.projectId()))
                .setStatus(status(k.status()))
                .setPermissions(permissions(k.permissions()))
                .setLimits(limits(k.limits()))
                .setLegacy(k.legacy())
                .setCreateTime(timestamp(k.createdAt()))
                .setUpdateTime(timestamp(k.updatedAt()))
                .setCreatedBy(k.createdBy())
                .setRevision(k.revision());
        k.currentSecret().ifPresent(s -> b.setDisplayToken(shown(k, s)));
        k.previousSecret(now).ifPresent(s -> b.setPreviousDisplayToken(shown(k, s))
                .setPreviousSecretExpireTime(timestamp(s.expiresAt())));
        if (k.expiresAt() != null) {
            b.setExpireTime(timestamp(k.expiresAt()));
        }
        return b.build();
    }

    static dev.keymeter.proto.admin.v1.Project project(Project p) {
        return dev.keymeter.proto.admin.v1.Project.newBuilder()
                .setId(p.id())
                .setDisplayName(p.displayName())
                .setCreateTime(timestamp(p.createdAt()))
                .setCreatedBy(p.createdBy())
                .build();
    }

    static Member member(dev.keymeter.keys.Member m) {
        return Member.newBuilder()
                .setUser(m.user())
                .setProjectId(nullToEmpty(m.projectId()))
                .setCreateTime(timestamp(m.createdAt()))
                .build();
    }

    static AuditRecord audit(AuditEntry e) {
        return AuditRecord.newBuilder()
                .setId(e.id())
                .setTime(timestamp(e.time()))
                .setActorKeyId(e.actorKeyId())
                .setAction(e.action())
                .setTarget(e.target())
                .setOutcome(e.outcome())
                .putAllChanges(e.changes())
                .setRevision(e.revision())
                .build();
    }

    static KeyUsage usage(KeyQueries.Usage u) {
        Limits l = u.key().limits();
        UsageBoard.Total t = u.total();
        KeyUsage.Builder b = KeyUsage.newBuilder()
                .setKeyId(u.key().id())
                .setCostMicroUsd(line(t.costUsedMicroUsd(), t.costReservedMicroUsd(), l.costLimitMicroUsd()))
                .setTokens(line(t.tokensUsed(), t.tokensReserved(), l.tokenLimit()))
                .setRequestsPerMinute(line(t.requestsLastMinute(), 0, l.requestsPerMinute()))
                .setResetPeriod(resetPeriod(l.resetPeriod()))
                .setReservationsInFlight(t.reservationsInFlight())
                .setTokensReserved(t.tokensReserved())
                .setCostReservedMicroUsd(t.costReservedMicroUsd())
                .setReportingSidecars(t.sidecars());
        u.period().ifPresent(p -> b.setPeriodStartTime(timestamp(p.start())).setPeriodEndTime(timestamp(p.end())));
        if (t.asOf() != null) {
            b.setAsOfTime(timestamp(t.asOf()));
        }
        if (u.key().usageResetAt() != null) {
            b.setUsageResetTime(timestamp(u.key().usageResetAt()));
        }
        for (UsageBoard.Part part : t.bySidecar()) {
            b.addSidecars(SidecarUsage.newBuilder().setSidecarId(part.sidecarId())
                    .setRequestsLastMinute(part.requestsLastMinute()).setTokensUsed(part.tokensUsed())
                    .setCostUsedMicroUsd(part.costUsedMicroUsd()).setAsOfTime(timestamp(part.asOf())));
        }
        for (dev.keymeter.lifecycle.UsageHistory.Sample sample : u.history()) {
            b.addHistory(UsageSample.newBuilder().setStartTime(timestamp(sample.start()))
                    .setRequests(sample.requests()).setTokens(sample.tokens()).setCostMicroUsd(sample.costMicroUsd()));
        }
        return b.build();
    }

    /** Remaining is what the limit leaves after usage and reservations in flight, floored at 0. */
    private static UsageLine line(long used, long reserved, Long limit) {
        UsageLine.Builder b = UsageLine.newBuilder().setUsed(used);
        if (limit != null) {
            b.setLimit(limit).setRemaining(Math.max(0, limit - used - reserved));
        }
        return b.build();
    }


    /** A secret's display token; a legacy key's shortened again, as a store from before may hold more. */
    private static String shown(ApiKey k, dev.keymeter.keys.Secret s) {
        return k.legacy() ? dev.keymeter.keys.TokenFormat.legacyDisplay(s.displayToken()) : s.displayToken();
    }

    static ReplicationStatus replication(dev.keymeter.lifecycle.ReplicationQueries.Status status) {
        ReplicationStatus.Builder b = ReplicationStatus.newBuilder()
                .setRevision(status.revision())
                .setTime(timestamp(status.at()));
        for (dev.keymeter.lifecycle.SidecarRevisions.Applied a : status.sidecars()) {
            b.addSidecars(SidecarReplication.newBuilder().setSidecarId(a.sidecarId())
                    .setAppliedRevision(a.revision()).setReportTime(timestamp(a.reportedAt())));
        }
        return b.build();
    }
}
