package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.GetReplicationStatusRequest;
import dev.keymeter.proto.admin.v1.ReplicationStatus;
import dev.keymeter.proto.admin.v1.SidecarReplication;
import picocli.CommandLine.Command;

/**
 * {@code sidecars status}: the store's revision and, per sidecar heard from in the last minute, the
 * revision its replica has applied and how far behind it is.
 */
@Command(name = "status", description = "Show which revision each sidecar that reported in the last minute "
        + "has applied.")
final class SidecarStatusCommand extends AdminCommand {

    @Override
    void run(AdminSession session) {
        ReplicationStatus status = session.stub().getReplicationStatus(GetReplicationStatusRequest.getDefaultInstance());
        print(status, () -> {
            out().println("Control plane at revision " + status.getRevision() + ".");
            Table table = Table.withHeaders("Sidecar", "Applied revision", "Behind", "Last report");
            for (SidecarReplication s : status.getSidecarsList()) {
                table.row(s.getSidecarId(), Long.toString(s.getAppliedRevision()),
                        Long.toString(Math.max(0, status.getRevision() - s.getAppliedRevision())),
                        Times.format(s.getReportTime()));
            }
            printListing(table, status.getSidecarsCount(), "No sidecar reported in the last minute.", "");
        });
    }
}
