package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.DisableKeyRequest;
import picocli.CommandLine.Command;

/** {@code keys disable KEY_ID}: refuse the key until it is enabled again. */
@Command(name = "disable", description = "Disable an active key; 'keys enable' undoes it.")
final class KeyDisableCommand extends KeyIdCommand {

    @Override
    void run(AdminSession session) {
        printKey(session.stub().disableKey(DisableKeyRequest.newBuilder().setKeyId(keyId).build()));
    }
}
