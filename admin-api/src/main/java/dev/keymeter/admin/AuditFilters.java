package dev.keymeter.admin;

import dev.keymeter.audit.AuditAction;
import dev.keymeter.lifecycle.AdminFailure;
import dev.keymeter.lifecycle.KeyCreation;
import dev.keymeter.proto.admin.v1.ListAuditRecordsRequest;
import dev.keymeter.store.AuditFilter;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Reads the filters of {@code ListAuditRecordsRequest}. An empty field matches everything. A filter
 * that could never match is refused rather than answered with an empty page, so that a typo
 * ({@code --action createKey}) is told apart from "nothing happened".
 */
final class AuditFilters {

    /** Longest unknown action name echoed back in a refusal; a longer value is not repeated. */
    private static final int ECHO_MAX = 64;

    private AuditFilters() {
    }

    static AuditFilter read(ListAuditRecordsRequest req) {
        return new AuditFilter(req.getTarget().isEmpty() ? null : req.getTarget(),
                actor(req.getActorKeyId()), action(req.getAction()));
    }

    /** A key id, or one of the actors that are not keys (the bootstrap and the admin-key recovery). */
    private static String actor(String value) {
        if (value.isEmpty()) {
            return null;
        }
        if (value.equals(KeyCreation.BOOTSTRAP_ACTOR) || value.equals(KeyCreation.RECOVERY_ACTOR)) {
            return value;
        }
        return RequestReader.keyId("actor_key_id", value);
    }

    private static String action(String value) {
        if (value.isEmpty()) {
            return null;
        }
        return AuditAction.byRecordedName(value).map(AuditAction::recordedName).orElseThrow(() ->
                AdminFailure.invalid("action", "unknown action " + echo(value) + "; known actions: " + known()));
    }

    /** The value quoted when it is a short plain name; otherwise only its length (never arbitrary text). */
    private static String echo(String value) {
        return value.length() <= ECHO_MAX && value.chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c))
                ? "\"" + value + "\"" : "(" + value.codePointCount(0, value.length()) + " characters)";
    }

    private static String known() {
        return Arrays.stream(AuditAction.values()).map(AuditAction::recordedName).collect(Collectors.joining(", "));
    }
}
