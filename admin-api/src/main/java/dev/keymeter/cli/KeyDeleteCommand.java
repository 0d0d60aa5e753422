package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.DeleteKeyRequest;
import dev.keymeter.proto.admin.v1.DeleteKeyResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code keys delete KEY_ID --yes}: remove the key for good; it disappears from lists. */
@Command(name = "delete", description = "Delete a key permanently (needs --yes).")
final class KeyDeleteCommand extends KeyIdCommand {

    @Mixin
    ConfirmOption confirm;

    @Override
    void validate() {
        confirm.require(spec, "deleting key " + keyId);
    }

    @Override
    void run(AdminSession session) {
        DeleteKeyResponse deleted = session.stub().deleteKey(DeleteKeyRequest.newBuilder().setKeyId(keyId).build());
        print(deleted, () -> out().println("Deleted key " + keyId + "."));
    }
}
