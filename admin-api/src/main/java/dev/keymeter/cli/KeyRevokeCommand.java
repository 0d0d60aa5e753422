package dev.keymeter.cli;

import dev.keymeter.keys.UnsafeText;
import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.proto.admin.v1.RevokeKeyRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code keys revoke KEY_ID --yes}: refuse the key forever; it stays listed as Revoked. */
@Command(name = "revoke", description = "Revoke a key permanently (needs --yes).")
final class KeyRevokeCommand extends KeyIdCommand {

    @Mixin
    ConfirmOption confirm;

    @Override
    void validate() {
        confirm.require(spec, "revoking key " + keyId);
    }

    @Override
    void run(AdminSession session) {
        Key revoked = session.stub().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(keyId).build());
        print(revoked, () -> out().println("Revoked key " + revoked.getId() + " ("
                + UnsafeText.escaped(revoked.getName()) + ")."));
    }
}
