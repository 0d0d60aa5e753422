package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.DuplicateKeyRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keys duplicate KEY_ID}: a new key with the same settings and its own token. */
@Command(name = "duplicate", description = "Create a new key with the same settings; its token is printed once.")
final class KeyDuplicateCommand extends KeyIdCommand {

    @Option(names = "--name", paramLabel = "NAME", description = "Name of the copy (default: \"<name> (copy)\").")
    String name = "";

    @Override
    void run(AdminSession session) {
        printWithToken(session.stub().duplicateKey(
                DuplicateKeyRequest.newBuilder().setKeyId(keyId).setName(name).build()));
    }
}
