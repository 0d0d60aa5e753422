package dev.keymeter.lifecycle;

import dev.keymeter.audit.AuditAction;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.Permissions;
import dev.keymeter.keys.Secret;
import dev.keymeter.keys.TextBound;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.keys.TokenType;
import dev.keymeter.keys.UnsafeText;
import dev.keymeter.store.StoreWriter;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/** Creates keys: new ones, duplicates, imported legacy tokens, and the bootstrap admin key. */
public final class KeyCreation {

    /** The creator recorded for the first admin key, which no key created. */
    public static final String BOOTSTRAP_ACTOR = "bootstrap";
    /** The creator recorded for a key minted by an offline recovery. */
    public static final String RECOVERY_ACTOR = "recovery";

    private final AuditedStore audited;

    public KeyCreation(AuditedStore audited) {
        this.audited = Objects.requireNonNull(audited, "audited");
    }

    public IssuedKey create(Caller caller, NewKey spec) {
        return audited.mutate(caller.keyId(), AuditAction.CREATE_KEY, describe(spec), m -> {
            caller.requireAdminWrite();
            requireCreatorMayCreate(caller, spec);
            return issue(m, caller.keyId(), spec);
        });
    }

    private static final String COPY = " (copy)";

    /**
     * "{@code <name> (copy)}", the name cut so that the whole stays within {@link TextBound#NAME};
     * refused when the name (stored before the character rules) holds a character names refuse.
     */
    static String copyName(String name) {
        int at = UnsafeText.firstRefused(name);
        if (at >= 0) {
            throw AdminFailure.invalid("name", "required: the key's name holds "
                    + UnsafeText.name(name.codePointAt(at)) + " (" + UnsafeText.kind(name.codePointAt(at))
                    + "), which names no longer take; name the copy");
        }
        int room = TextBound.NAME.maxChars() - COPY.length();
        String base = TextBound.characters(name) <= room ? name : name.substring(0, name.offsetByCodePoints(0, room));
        return base.strip() + COPY;
    }

    /** A new key with the settings of {@code keyId} and a new token. */
    public IssuedKey duplicate(Caller caller, String keyId, String newName) {
        return audited.mutate(caller.keyId(), AuditAction.DUPLICATE_KEY, "key/" + keyId, m -> {
            caller.requireAdminWrite();
            ApiKey source = KeyLookup.require(m.tx(), keyId);
            LimitRules.requireHeld(keyId, source.limits());
            String name = newName == null || newName.isEmpty() ? copyName(source.name()) : newName;
            Instant now = audited.now();
            if (source.expiresAt() != null && !now.isBefore(source.expiresAt())) {
                throw AdminFailure.precondition("key " + keyId + " expired at " + source.expiresAt()
                        + "; a duplicate would be born expired: create a new key instead");
            }
            NewKey spec = new NewKey(name, source.kind(), source.projectId(), source.ownerType(),
                    source.ownerUser(), source.permissions(), source.limits(), source.expiresAt());
            m.change("duplicate_of", keyId);
            return issue(m, caller.keyId(), spec);
        });
    }

    /**
     * Registers an existing token of any format as a legacy key: it authenticates, but has no limits
     * and no restricted permissions, and can never be converted.
     */
    public ApiKey importLegacy(Caller caller, NewKey spec, String token) {
        return audited.mutate(caller.keyId(), AuditAction.IMPORT_LEGACY_KEY, describe(spec), m -> {
            caller.requireAdminWrite();
            requireCreatorMayCreate(caller, spec);
            if (spec.permissions().preset() == PermissionPreset.RESTRICTED) {
                throw AdminFailure.precondition("legacy keys support no restricted permissions "
                        + "(use preset ALL or READ_ONLY); for granular permissions create a new key");
            }
            if (!spec.limits().isUnlimited() || spec.limits().resetPeriod() != dev.keymeter.keys.ResetPeriod.NEVER) {
                throw AdminFailure.precondition("legacy keys support no limits; for limits create a new key");
            }
            ApiKey key = insert(m, caller.keyId(), spec, token, true);
            m.change("legacy", true);
            return key;
        });
    }

    /**
     * Creates the first admin key when the store has none. Empty when an admin key already exists:
     * bootstrap happens once in the life of a store. {@code beforeCommit} gets the new key inside the
     * transaction (to keep its token somewhere durable first); what it throws rolls the key back.
     */
    public Optional<IssuedKey> bootstrapIfEmpty(Consumer<IssuedKey> beforeCommit) {
        // Checked first in a read, so that the restarts of a bootstrapped store write no audit record.
        if (audited.store().read(r -> r.anyAdminKey())) {
            return Optional.empty();
        }
        return audited.mutate(BOOTSTRAP_ACTOR, AuditAction.BOOTSTRAP, "organization", m -> {
            if (m.tx().anyAdminKey()) {
                return Optional.empty();
            }
            NewKey spec = new NewKey("bootstrap-admin", KeyKind.ADMIN, null, OwnerType.SERVICE_ACCOUNT, null,
                    Permissions.ALL, Limits.NONE, null);
            IssuedKey issued = issue(m, BOOTSTRAP_ACTOR, spec);
            beforeCommit.accept(issued);
            return Optional.of(issued);
        });
    }

    /**
     * Mints a new admin key with preset All without any caller: {@code keymeter admin recover}, run by
     * whoever holds the data directory (and so the store), after every key that could manage keymeter
     * was lost. Audited as {@code RecoverAdminKey} by {@link #RECOVERY_ACTOR}.
     */
    public IssuedKey recover() {
        return audited.mutate(RECOVERY_ACTOR, AuditAction.RECOVER_ADMIN_KEY, "organization", m -> {
            String name = "recovery-" + audited.now().toEpochMilli();
            for (int n = 2; m.tx().findKeyByName(null, name).isPresent(); n++) {
                name = "recovery-" + audited.now().toEpochMilli() + "-" + n;
            }
            m.change("recovery", "offline, from the data directory");
            return issue(m, RECOVERY_ACTOR, new NewKey(name, KeyKind.ADMIN, null, OwnerType.SERVICE_ACCOUNT, null,
                    Permissions.ALL, Limits.NONE, null));
        });
    }

    /** Checks the rules of {@code spec} against the store and inserts it with a new token. */
    IssuedKey issue(Mutation m, String createdBy, NewKey spec) {
        String token = TokenFormat.generate(TokenType.of(spec.kind(), spec.ownerType()));
        return new IssuedKey(insert(m, createdBy, spec, token, false), token);
    }

    private ApiKey insert(Mutation m, String createdBy, NewKey spec, String token, boolean legacy) {
        StoreWriter tx = m.tx();
        Instant now = audited.now();
        requireSpecFits(tx, spec, now);
        byte[] digest = TokenFormat.sha256(token);
        if (tx.findKeyByDigest(digest).isPresent()) {
            throw AdminFailure.alreadyExists("token: this token is already registered to another key");
        }
        ApiKey key = new ApiKey(KeyIds.newId(), spec.name(), spec.kind(), spec.ownerType(), spec.ownerUser(),
                spec.projectId(), KeyStatus.ACTIVE, spec.permissions(), spec.limits(), spec.expiresAt(), legacy,
                createdBy, now, now, m.nextRevision(),
                List.of(new Secret(digest, TokenFormat.display(token), null)));
        tx.insertKey(key);
        m.target("key/" + key.id());
        KeyAuditFields.describeNew(m, key);
        return key;
    }

    private static void requireCreatorMayCreate(Caller caller, NewKey spec) {
        if (spec.kind() == KeyKind.ADMIN && !caller.isAdmin()) {
            throw AdminFailure.denied("only admin keys create admin keys");
        }
        if (spec.kind() == KeyKind.SIDECAR && !caller.isAdmin()) {
            throw AdminFailure.denied("only admin keys create sidecar credentials");
        }
        if (spec.ownerType() == OwnerType.SERVICE_ACCOUNT && !caller.isAdmin()) {
            throw AdminFailure.denied("only admin keys create service-account keys");
        }
    }

    /** The rules that need the store: the project exists, the owner is a member, the name is free. */
    static void requireSpecFits(StoreWriter tx, NewKey spec, Instant now) {
        if (spec.projectId() != null && tx.findProject(spec.projectId()).isEmpty()) {
            throw AdminFailure.notFound("project " + spec.projectId());
        }
        if (spec.ownerUser() != null && !tx.isMember(spec.ownerUser(), spec.projectId())) {
            throw AdminFailure.precondition("owner_user: " + spec.ownerUser() + " is not a member of "
                    + (spec.projectId() == null ? "the organization" : "project " + spec.projectId())
                    + "; add them first (members add)");
        }
        KeyLookup.requireNameFree(tx, spec.projectId(), spec.name());
        if (spec.expiresAt() != null && !spec.expiresAt().isAfter(now)) {
            throw AdminFailure.invalid("expire_time", "must be in the future, was " + spec.expiresAt());
        }
    }

    private static String describe(NewKey spec) {
        return spec.projectId() == null ? "organization" : "project/" + spec.projectId();
    }
}
