package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.EnableKeyRequest;
import picocli.CommandLine.Command;

/** {@code keys enable KEY_ID}: accept a disabled key again (a revoked key stays revoked). */
@Command(name = "enable", description = "Enable a disabled key.")
final class KeyEnableCommand extends KeyIdCommand {

    @Override
    void run(AdminSession session) {
        printKey(session.stub().enableKey(EnableKeyRequest.newBuilder().setKeyId(keyId).build()));
    }
}
