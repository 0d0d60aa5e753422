package dev.keymeter.lifecycle;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.PermissionPreset;
import java.util.Objects;

/**
 * The authenticated key behind an admin call.
 *
 * <p>Admin keys with preset All manage everything. Admin keys with another preset may only read.
 * Project keys may read only themselves (GetKey and GetKeyUsage). Sidecar credentials may only
 * follow Watch and send the sidecar reports ({@link #requireSidecarRole}); the admin API refuses them.
 */
public record Caller(String keyId, KeyKind kind, String projectId, PermissionPreset preset) {

    public Caller {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(preset, "preset");
    }

    public static Caller of(ApiKey key) {
        return new Caller(key.id(), key.kind(), key.projectId(), key.permissions().preset());
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
        if (isAdmin() && preset == PermissionPreset.ALL) {
            return true;
        }
        throw AdminFailure.denied("replication and sidecar reports need a sidecar credential "
                + "(keymeter sidecars create NAME); this is a " + (isAdmin() ? "admin key with preset " + preset
                        : "project key"));
    }

    /** Only admin keys read anything beyond themselves. */
    public void requireAdminRead() {
        if (!isAdmin()) {
            throw AdminFailure.denied("project keys may only read themselves (GetKey, GetKeyUsage)");
        }
    }

    /** Mutations need an admin key with preset All. */
    public void requireAdminWrite() {
        requireAdminRead();
        if (preset != PermissionPreset.ALL) {
            throw AdminFailure.denied("this admin key has preset " + preset + " and may only read; "
                    + "changes need an admin key with preset ALL");
        }
    }

    /** Reading one key: admins read any key, a project key only itself. */
    public void requireCanRead(String targetKeyId) {
        if (!isAdmin() && !keyId.equals(targetKeyId)) {
            throw AdminFailure.denied("project keys may only read themselves (GetKey, GetKeyUsage)");
        }
    }
}
