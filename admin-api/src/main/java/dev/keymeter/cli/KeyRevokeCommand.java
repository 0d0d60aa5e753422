package dev.keymeter.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.keymeter.keys.UnsafeText;
import dev.keymeter.proto.admin.v1.GetKeyRequest;
import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.proto.admin.v1.RevokeKeyRequest;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code keys revoke KEY_ID --yes [--wait]}: refuse the key forever; it stays listed as Revoked. With
 * {@code --wait}, also waits until every sidecar heard from in the last minute has applied the
 * revocation's revision ({@link ReplicationWait}); exit 1 when some has not by {@code --wait-timeout}.
 */
@Command(name = "revoke", description = "Revoke a key permanently (needs --yes).")
final class KeyRevokeCommand extends KeyIdCommand {

    static final Duration MAX_WAIT = Duration.ofHours(1);

    @Mixin
    ConfirmOption confirm;

    @Option(names = "--wait", description = "Wait until every sidecar that reported in the last minute has "
            + "applied the revocation.")
    boolean await;

    @Option(names = "--wait-timeout", paramLabel = "DURATION", defaultValue = "30s",
            converter = Values.Duration.class,
            description = "How long --wait waits (default ${DEFAULT-VALUE}; at most 1h).")
    Duration waitTimeout;

    @Override
    void validate() {
        confirm.require(spec, "revoking key " + keyId);
        if (waitTimeout.isNegative() || waitTimeout.isZero() || waitTimeout.compareTo(MAX_WAIT) > 0) {
            throw usage("--wait-timeout must be more than 0s and at most 1h, was " + waitTimeout);
        }
    }

    @Override
    void run(AdminSession session) {
        Key before = session.stub().getKey(GetKeyRequest.newBuilder().setKeyId(keyId).build());
        // Revoking is idempotent on the server; say so rather than claim a change (and --wait still
        // waits for that revocation's revision).
        boolean already = before.getStatus() == KeyStatus.KEY_STATUS_REVOKED;
        Key revoked = already ? before
                : session.stub().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(keyId).build());
        String what = (already ? "Key " : "Revoked key ") + revoked.getId() + " ("
                + UnsafeText.escaped(revoked.getName()) + ")";
        if (!await) {
            print(revoked, () -> out().println(what + (already ? " is already revoked." : ".")));
            return;
        }
        ReplicationWait.Outcome outcome = ReplicationWait.await(session, revoked.getRevision(), waitTimeout);
        if (json()) {
            printWaitJson(revoked, outcome);
        } else {
            out().println(what + (already ? " was already" : ":") + " revoked at revision " + revoked.getRevision()
                    + "; " + outcome.summary());
        }
        exitCode = outcome.complete() ? CliErrors.OK : CliErrors.FAILURE;
    }

    /** One JSON object: the key, the last replication status, and what is still behind. */
    private void printWaitJson(Key revoked, ReplicationWait.Outcome outcome) {
        try {
            JsonFormat.Printer printer = JsonFormat.printer();
            StringBuilder notYet = new StringBuilder("[");
            for (String id : outcome.notYet()) {
                notYet.append(notYet.length() > 1 ? ", " : "").append(jsonString(id));
            }
            out().println(UnsafeText.escapedJson("{\n\"key\": " + printer.print(revoked)
                    + ",\n\"revision\": \"" + revoked.getRevision() + "\""
                    + ",\n\"applied\": " + outcome.applied()
                    + ",\n\"sidecars\": " + outcome.status().getSidecarsCount()
                    + ",\n\"complete\": " + outcome.complete()
                    + ",\n\"notYet\": " + notYet.append(']')
                    + ",\n\"replicationStatus\": " + printer.print(outcome.status()) + "\n}"));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print the response as JSON", e);
        }
    }

    /** Sidecar ids are printable ASCII (the control plane checks): only quote and backslash need escaping. */
    private static String jsonString(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
