package dev.keymeter.audit;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every action the audit log records, by the name it is stored and shown under (the RPC name for
 * admin calls). Writers name their action with a constant here, so the list of names a reader may
 * filter by ({@code ListAuditRecordsRequest.action}) is this enum and cannot drift from what is written.
 *
 * <p>Stores written before refused calls were audited as a summary also hold one row per refused
 * call, named after its RPC (e.g. {@code ListKeys}); they are listed without an action filter but
 * cannot be selected by one.
 */
public enum AuditAction {
    CREATE_PROJECT("CreateProject"),
    DELETE_PROJECT("DeleteProject"),
    ADD_MEMBER("AddMember"),
    REMOVE_MEMBER("RemoveMember"),
    CREATE_KEY("CreateKey"),
    UPDATE_KEY("UpdateKey"),
    DUPLICATE_KEY("DuplicateKey"),
    ROTATE_KEY("RotateKey"),
    DISABLE_KEY("DisableKey"),
    ENABLE_KEY("EnableKey"),
    REVOKE_KEY("RevokeKey"),
    DELETE_KEY("DeleteKey"),
    IMPORT_LEGACY_KEY("ImportLegacyKey"),
    RESET_KEY_USAGE("ResetKeyUsage"),
    /** The first admin key, issued once when the store is empty. */
    BOOTSTRAP("Bootstrap"),
    /** An admin key issued by {@code keymeter admin recover} on the control plane's host. */
    RECOVER_ADMIN_KEY("RecoverAdminKey"),
    /** A summary of the calls refused before they reached a rule (no valid key), per interval. */
    REFUSED_CALLS("RefusedCalls"),
    /** A summary of the mutations refused while the disk was full, written when space returned. */
    REFUSED_WHILE_DISK_FULL("RefusedWhileDiskFull");

    private final String recordedName;

    AuditAction(String recordedName) {
        this.recordedName = recordedName;
    }

    /** The name in the audit log, e.g. {@code CreateKey}. */
    public String recordedName() {
        return recordedName;
    }

    /** The action recorded as {@code name} (exact, case-sensitive, as stored), if there is one. */
    public static Optional<AuditAction> byRecordedName(String name) {
        return Arrays.stream(values()).filter(a -> a.recordedName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return recordedName;
    }
}
