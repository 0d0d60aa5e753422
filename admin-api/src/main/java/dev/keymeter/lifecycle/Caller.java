package dev.keymeter.lifecycle;

import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.Permissions;
import dev.keymeter.keys.Resource;
import java.util.Objects;

/**
 * The authenticated key behind an admin call.
 *
 * <p>Admin keys with preset All manage everything. Admin keys with another preset may only read:
 * Read only reads everything, Restricted reads what its per-resource levels grant (see
 * {@link #requireAdminRead(Resource)} for which resource each read needs). Project keys may read only
 * themselves (GetKey and GetKeyUsage). Sidecar credentials may only follow Watch and send the sidecar
 * reports ({@link #requireSidecarRole}); the admin API refuses them.
 */
public record Caller(String keyId, KeyKind kind, String projectId, Permissions permissions) {

    /** What reading projects needs on a Restricted admin key. */
    public static final Resource PROJECTS = Resource.PROJECTS;
    /** What reading keys (and their usage), members and the replication stream needs. */
    public static final Resource KEYS_AND_MEMBERS = Resource.IDENTITIES;
    /** What reading the audit log needs. */
    public static final Resource AUDIT = Resource.REPORTING;

    public Caller {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(permissions, "permissions");
    }

    public static Caller of(ApiKey key) {
        return new Caller(key.id(), key.kind(), key.projectId(), key.permissions());
    }

    public PermissionPreset preset() {
        return permissions.preset();
    }

    public boolean isAdmin() {
        return kind == KeyKind.ADMIN;
    }

    public boolean isSidecar() {
        return kind == KeyKind.SIDECAR;
    }

    /**
     * Watch and the sidecar reports: a sidecar credential. An admin key with preset All is still
     * admitted, for deployments set up before sidecar credentials existed (it may change everything
     * anyway); the caller warns that it is deprecated. Any other key is refused: a read-only admin
     * must not write last-used times or usage figures, nor read every key's secret digests.
     *
     * @return true when admitted as a deprecated admin key
     */
    public boolean requireSidecarRole() {
        if (isSidecar()) {
            return false;
        }
        if (isAdmin() && preset() == PermissionPreset.ALL) {
            return true;
        }
        throw AdminFailure.denied("replication and sidecar reports need a sidecar credential "
                + "(keymeter sidecars create NAME); this is " + (isAdmin() ? "an admin key with preset " + preset()
                        : "a project key"));
    }

    /**
     * Reads of the organisation need an admin key whose permissions grant read on {@code resource}:
     * preset All or Read only, or Restricted with read or write on it. The catalog has no resource of
     * its own for API keys: keys and members are who may call, {@code identities}; the audit log is a
     * report, {@code reporting}; projects are {@code projects}.
     */
    public void requireAdminRead(Resource resource) {
        if (!isAdmin()) {
            throw AdminFailure.denied("project keys may only read themselves (GetKey, GetKeyUsage)");
        }
        if (!permissions.allows(resource, AccessLevel.READ)) {
            throw AdminFailure.denied("this admin key has preset RESTRICTED without read on " + resource.wireName()
                    + "; this read needs " + resource.wireName() + "=read (or preset READ_ONLY or ALL)");
        }
    }

    /** Mutations need an admin key with preset All. */
    public void requireAdminWrite() {
        if (!isAdmin()) {
            throw AdminFailure.denied("project keys may only read themselves (GetKey, GetKeyUsage)");
        }
        if (preset() != PermissionPreset.ALL) {
            throw AdminFailure.denied("this admin key has preset " + preset() + " and may only read; "
                    + "changes need an admin key with preset ALL");
        }
    }

    /** Reading one key: every key reads itself; admin keys read others as their preset allows. */
    public void requireCanRead(String targetKeyId) {
        if (keyId.equals(targetKeyId)) {
            return;
        }
        requireAdminRead(KEYS_AND_MEMBERS);
    }
}
