package dev.keymeter.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --yes} for permanent actions. There is no interactive prompt: scripts run without stdin,
 * and a prompt that reads nothing would either hang or guess. Without {@code --yes} the command
 * refuses (exit 2) and says what to pass.
 */
final class ConfirmOption {

    @Option(names = "--yes", description = "Confirm: this cannot be undone.")
    boolean yes;

    /** Refuses unless {@code --yes} was given; {@code action} says what would be permanent. */
    void require(CommandSpec spec, String action) {
        if (!yes) {
            throw new ParameterException(spec.commandLine(),
                    action + " is permanent: pass --yes to confirm");
        }
    }
}
