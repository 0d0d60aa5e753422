package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.KeyUsage;
import dev.keymeter.proto.admin.v1.ResetKeyUsageRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code keys reset-usage KEY_ID --yes}: start the key's cost, token and request counters from zero. */
@Command(name = "reset-usage", description = "Reset a key's usage counters to zero on every sidecar (needs --yes).")
final class KeyResetUsageCommand extends KeyIdCommand {

    @Mixin
    ConfirmOption confirm;

    @Override
    void validate() {
        confirm.require(spec, "resetting the usage of key " + keyId);
    }

    @Override
    void run(AdminSession session) {
        KeyUsage usage = session.stub().resetKeyUsage(ResetKeyUsageRequest.newBuilder().setKeyId(keyId).build());
        print(usage, () -> {
            out().println("Reset the usage of key " + usage.getKeyId() + ".");
            KeyUsageCommand.printUsage(out(), usage);
        });
    }
}
