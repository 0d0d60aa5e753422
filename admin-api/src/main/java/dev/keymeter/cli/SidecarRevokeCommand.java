package dev.keymeter.cli;

import dev.keymeter.keys.UnsafeText;
import dev.keymeter.proto.admin.v1.GetKeyRequest;
import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.RevokeKeyRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code sidecars revoke ID --yes}: the credential is refused from then on (a sidecar that follows Watch
 * with it is cut off at its next call; its replica keeps serving what it has). Refuses an id that is
 * not a sidecar credential, so that this command never revokes an API key by mistake.
 */
@Command(name = "revoke", description = "Revoke a sidecar credential permanently (needs --yes).")
final class SidecarRevokeCommand extends KeyIdCommand {

    @Mixin
    ConfirmOption confirm;

    @Override
    void validate() {
        confirm.require(spec, "revoking sidecar credential " + keyId);
    }

    @Override
    void run(AdminSession session) {
        Key key = session.stub().getKey(GetKeyRequest.newBuilder().setKeyId(keyId).build());
        if (key.getKind() != KeyKind.KEY_KIND_SIDECAR) {
            throw usage(keyId + " is not a sidecar credential (use keys revoke for API keys)");
        }
        Key revoked = session.stub().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(keyId).build());
        print(revoked, () -> out().println("Revoked sidecar credential " + revoked.getId() + " ("
                + UnsafeText.escaped(revoked.getName()) + ")."));
    }
}
