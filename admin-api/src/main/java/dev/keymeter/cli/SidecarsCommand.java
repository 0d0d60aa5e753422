package dev.keymeter.cli;

import picocli.CommandLine.Command;

/**
 * {@code keymeter sidecars …}: the credentials sidecars use for the control plane (replication Watch
 * and the sidecar reports). They are keys of kind SIDECAR, so creation and revocation are audited as
 * every key change is, and {@code keys get}/{@code keys rotate} work on them too.
 */
@Command(name = "sidecars", synopsisSubcommandLabel = "COMMAND",
        description = "Create, list and revoke sidecar credentials (what --control-plane-key takes); show what "
                + "each sidecar has applied.",
        subcommands = {SidecarCreateCommand.class, SidecarListCommand.class, SidecarRevokeCommand.class,
                SidecarStatusCommand.class})
public final class SidecarsCommand extends CommandGroup {
}
