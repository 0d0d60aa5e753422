package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.Key;
import picocli.CommandLine.Parameters;

/** A command about one existing key, named by its id (as {@code keys list} shows it). */
abstract class KeyIdCommand extends AdminCommand {

    @Parameters(index = "0", paramLabel = "KEY_ID", description = "The key's id, e.g. key_01HV….")
    String keyId;

    /** One key's details, or its JSON. */
    void printKey(Key key) {
        print(key, () -> KeyViews.printDetails(out(), key));
    }

    /** A response carrying a new token: the token once, then the key. */
    void printWithToken(CreateKeyResponse response) {
        print(response, () -> {
            KeyViews.printToken(out(), response.getToken());
            KeyViews.printDetails(out(), response.getKey());
        });
    }
}
