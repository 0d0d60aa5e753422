package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.GetReplicationStatusRequest;
import dev.keymeter.proto.admin.v1.ReplicationStatus;
import dev.keymeter.proto.admin.v1.SidecarReplication;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Waits until every sidecar the control plane heard from in the last minute has applied a revision:
 * polls GetReplicationStatus until none is behind or the deadline passes. A sidecar that stopped
 * reporting more than a minute ago is no longer listed, so it is not waited for (nor counted).
 */
final class ReplicationWait {

    /** How often the status is asked for while some sidecar is behind. */
    static final Duration POLL_EVERY = Duration.ofMillis(200);

    /** The last status seen, against the revision waited for. */
    record Outcome(long revision, ReplicationStatus status, Duration waited) {

        List<String> notYet() {
            return status.getSidecarsList().stream().filter(s -> s.getAppliedRevision() < revision)
                    .map(SidecarReplication::getSidecarId).toList();
        }

        int applied() {
            return status.getSidecarsCount() - notYet().size();
        }

        boolean complete() {
            return notYet().isEmpty();
        }

        /** "applied by 3 of 3 sidecars", or "applied by 2 of 3 sidecars after 30s; not yet: a, b". */
        String summary() {
            String counted = "applied by " + applied() + " of " + status.getSidecarsCount() + " sidecars";
            if (status.getSidecarsCount() == 0) {
                return counted + " (none reported in the last minute)";
            }
            return complete() ? counted : counted + " after " + describe(waited) + "; not yet: "
                    + String.join(", ", notYet());
        }
    }

    private ReplicationWait() {
    }

    /** "30s", or "1500ms" when not whole seconds. */
    static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    static Outcome await(AdminSession session, long revision, Duration timeout) {
        return await(() -> session.stub().getReplicationStatus(GetReplicationStatusRequest.getDefaultInstance()),
                revision, timeout);
    }

    static Outcome await(Supplier<ReplicationStatus> poll, long revision, Duration timeout) {
        long start = System.nanoTime();
        while (true) {
            ReplicationStatus status = poll.get();
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            Outcome outcome = new Outcome(revision, status, waited);
            if (outcome.complete() || waited.compareTo(timeout) >= 0) {
                return outcome.complete() ? outcome : new Outcome(revision, status, timeout);
            }
            try {
                Thread.sleep(Math.min(POLL_EVERY.toMillis(), Math.max(1, timeout.minus(waited).toMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return outcome;
            }
        }
    }
}
