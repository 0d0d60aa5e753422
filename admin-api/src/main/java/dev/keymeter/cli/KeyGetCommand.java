package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.GetKeyRequest;
import picocli.CommandLine.Command;

/** {@code keys get KEY_ID}: one key's settings (never its secret). */
@Command(name = "get", description = "Show one key (never its secret).")
final class KeyGetCommand extends KeyIdCommand {

    @Override
    void run(AdminSession session) {
        printKey(session.stub().getKey(GetKeyRequest.newBuilder().setKeyId(keyId).build()));
    }
}
