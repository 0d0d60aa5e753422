package dev.keymeter.replica;

import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.Resource;
import dev.keymeter.keys.ResetPeriod;

/**
 * What Check needs to know about the key behind one secret digest. A mutable holder that a
 * {@link KeyReplica#lookup} fills in place, so that a Check thread reuses one instance per request
 * instead of allocating; confined to that thread.
 *
 * <p>Absent values use sentinels, not nulls, for the numeric fields: {@link #NO_LIMIT} for a limit,
 * {@link #NEVER} for an expiry.
 *
 * <p>Not final only for {@link CachingKeyReplica}, whose slots extend it to hold their copy of an entry
 * inline (one object per cached key instead of two); nothing else should extend it.
 */
public class ReplicaEntry {

    public static final long NO_LIMIT = -1;
    public static final long NEVER = Long.MAX_VALUE;
    /** {@code values()} clones its array on every call, and {@link #levelOf} runs on every Check. */
    private static final AccessLevel[] LEVELS = AccessLevel.values();

    public String keyId;
    public KeyKind kind;
    public OwnerType ownerType;
    /** The owning user; {@code null} for service-account keys. */
    public String ownerUser;
    /** The project; {@code null} for admin keys. */
    public String projectId;
    public KeyStatus status;
    public boolean legacy;
    public PermissionPreset preset;
    /** Restricted levels: 2 bits per {@link Resource#ordinal()} (0 none, 1 read, 2 write). */
    public long levelBits;
    public long costLimitMicroUsd = NO_LIMIT;
    public long tokenLimit = NO_LIMIT;
    public long requestsPerMinute = NO_LIMIT;
    public ResetPeriod resetPeriod = ResetPeriod.NEVER;
    /** The key's expiry, epoch millis; {@link #NEVER} when it has none. */
    public long keyExpiresAtMillis = NEVER;
    /** This secret's end of grace after a rotation, epoch millis; {@link #NEVER} for the current secret. */
    public long secretExpiresAtMillis = NEVER;
    /** The control-plane revision of the last change to this key. */
    public long revision;
    /**
     * Bumped by each administrative usage reset (the time of the reset, epoch millis; 0 before any):
     * a new value starts the key on fresh counters.
     */
    public long usageEpoch;
    /**
     * Where the reader may keep what it derives from this entry, shared with every other lookup served
     * the same cached copy; null when the entry came straight from the store. See {@link EntryMemo}.
     */
    public EntryMemo memo;
    /**
     * A hint, not a value: what the cache held beside this entry's slot for its memo's value at the
     * lookup. That is normally the value itself, or null; after a rare race it is a value that belongs
     * to an earlier copy. Reading it right after the lookup starts loading that object while the memo is
     * still on its way from memory ({@link CachingKeyReplica}). Use it only where it is the very object
     * {@code memo.valueFor} returns. Null when the entry came straight from the store.
     */
    public Object memoHint;

    /**
     * Copies the key's fields of {@code from} into this holder: all but {@link #memo} and
     * {@link #memoHint}, which belong to the lookup that fills the holder (it sets them itself).
     */
    public void copyFrom(ReplicaEntry from) {
        keyId = from.keyId;
        kind = from.kind;
        ownerType = from.ownerType;
        ownerUser = from.ownerUser;
        projectId = from.projectId;
        status = from.status;
        legacy = from.legacy;
        preset = from.preset;
        levelBits = from.levelBits;
        costLimitMicroUsd = from.costLimitMicroUsd;
        tokenLimit = from.tokenLimit;
        requestsPerMinute = from.requestsPerMinute;
        resetPeriod = from.resetPeriod;
        keyExpiresAtMillis = from.keyExpiresAtMillis;
        secretExpiresAtMillis = from.secretExpiresAtMillis;
        revision = from.revision;
        usageEpoch = from.usageEpoch;
    }

    /** True when Check must consult the counters: a non-legacy key with at least one limit. */
    public boolean hasLimits() {
        return !legacy && (costLimitMicroUsd != NO_LIMIT || tokenLimit != NO_LIMIT || requestsPerMinute != NO_LIMIT);
    }

    /** The level the key has on {@code resource}, from its preset or its restricted levels. */
    public AccessLevel levelOf(Resource resource) {
        return switch (preset) {
            case ALL -> AccessLevel.WRITE;
            case READ_ONLY -> AccessLevel.READ;
            case RESTRICTED -> LEVELS[(int) ((levelBits >>> (2 * resource.ordinal())) & 3)];
        };
    }

    /** Packs restricted levels the way {@link #levelBits} holds them. */
    public static long packLevels(java.util.Map<Resource, AccessLevel> levels) {
        long bits = 0;
        for (var e : levels.entrySet()) {
            bits |= ((long) e.getValue().ordinal()) << (2 * e.getKey().ordinal());
        }
        return bits;
    }

    /** True when this secret of this key authenticates at {@code nowMillis}. */
    public boolean authenticatesAt(long nowMillis) {
        return status == KeyStatus.ACTIVE && nowMillis < keyExpiresAtMillis && nowMillis < secretExpiresAtMillis;
    }
}
