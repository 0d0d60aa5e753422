package dev.keymeter.lifecycle;

import java.util.Objects;

/**
 * A refused admin request: a rule said no. The message is shown to the caller, so it names the
 * field or the rule and never holds a secret. Not an error of the server.
 */
public final class AdminFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The kinds of refusal; each maps to the gRPC status code of the same name. */
    public enum Reason {
        INVALID_ARGUMENT,
        NOT_FOUND,
        ALREADY_EXISTS,
        FAILED_PRECONDITION,
        PERMISSION_DENIED,
        UNAUTHENTICATED
    }

    private final Reason reason;

    private AdminFailure(Reason reason, String message) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    /** A field breaks a rule: {@code "<field>: <rule>"}. */
    public static AdminFailure invalid(String field, String rule) {
        return new AdminFailure(Reason.INVALID_ARGUMENT, field + ": " + rule);
    }

    public static AdminFailure notFound(String what) {
        return new AdminFailure(Reason.NOT_FOUND, what + " not found");
    }

    public static AdminFailure alreadyExists(String message) {
        return new AdminFailure(Reason.ALREADY_EXISTS, message);
    }

    public static AdminFailure precondition(String message) {
        return new AdminFailure(Reason.FAILED_PRECONDITION, message);
    }

    public static AdminFailure denied(String message) {
        return new AdminFailure(Reason.PERMISSION_DENIED, message);
    }

    public static AdminFailure unauthenticated(String message) {
        return new AdminFailure(Reason.UNAUTHENTICATED, message);
    }
}
