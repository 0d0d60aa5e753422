package dev.keymeter.admin;

import dev.keymeter.lifecycle.AdminFailure;
import dev.keymeter.store.DuplicateException;
import dev.keymeter.store.InvalidPageException;
import dev.keymeter.store.StoreUnavailableException;
import io.grpc.Status;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * The one place that turns a failure into a gRPC status. Refusals keep their message (written to be
 * shown: it names the field or the rule, never a secret). Anything else is INTERNAL with a generic
 * description; the details go to the log, by exception type and message only.
 */
final class Statuses {
    private static final Logger LOG = System.getLogger("keymeter.admin");

    private Statuses() {
    }

    static Status of(Throwable t) {
        if (t instanceof AdminFailure f) {
            return code(f.reason()).withDescription(f.getMessage());
        }
        if (t instanceof StoreUnavailableException) {
            LOG.log(Level.WARNING, "admin call failed: " + t.getMessage());
            return Status.UNAVAILABLE.withDescription("the key store is unreachable; retry later");
        }
        if (t instanceof DuplicateException d) {
            return Status.ALREADY_EXISTS.withDescription(d.getMessage());
        }
        if (t instanceof InvalidPageException e) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        }
        LOG.log(Level.ERROR, "admin call failed: " + t.getClass().getName() + ": " + t.getMessage());
        return Status.INTERNAL.withDescription("internal error; see the control plane's log");
    }

    private static Status code(AdminFailure.Reason reason) {
        return switch (reason) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
            case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
        };
    }
}
