package dev.keymeter.cli;

import picocli.CommandLine.Command;

/** {@code keymeter keys …}: the API-key lifecycle. */
@Command(name = "keys", synopsisSubcommandLabel = "COMMAND",
        description = "Create, list, change, rotate, disable, revoke and delete API keys.",
        subcommands = {
            KeyCreateCommand.class, KeyListCommand.class, KeyGetCommand.class, KeyUpdateCommand.class,
            KeyDuplicateCommand.class, KeyRotateCommand.class, KeyDisableCommand.class,
            KeyEnableCommand.class, KeyRevokeCommand.class, KeyDeleteCommand.class,
            KeyUsageCommand.class, KeyResetUsageCommand.class, KeyImportLegacyCommand.class})
public final class KeysCommand extends CommandGroup {
}
