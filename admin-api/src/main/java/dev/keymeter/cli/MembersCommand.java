package dev.keymeter.cli;

import dev.keymeter.keys.UnsafeText;
import dev.keymeter.proto.admin.v1.AddMemberRequest;
import dev.keymeter.proto.admin.v1.ListMembersRequest;
import dev.keymeter.proto.admin.v1.ListMembersResponse;
import dev.keymeter.proto.admin.v1.Member;
import dev.keymeter.proto.admin.v1.RemoveMemberRequest;
import dev.keymeter.proto.admin.v1.RemoveMemberResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keymeter members …}: who belongs to the organization or to a project. Removing a member
 * revokes their user keys there, so {@code remove} prints the ids it revoked.
 */
@Command(name = "members", synopsisSubcommandLabel = "COMMAND",
        description = "Add, remove and list members of the organization or of a project.",
        subcommands = {MembersCommand.Add.class, MembersCommand.Remove.class, MembersCommand.ListMembers.class})
public final class MembersCommand extends CommandGroup {

    /** {@code --project}: empty means the organization. */
    static final class Scope {
        @Option(names = "--project", paramLabel = "ID", description = "A project (default: the organization).")
        String project = "";

        String describe() {
            return project.isEmpty() ? "the organization" : "project " + project;
        }
    }

    /** {@code members add USER}. */
    @Command(name = "add", description = "Add a user to the organization, or to a project (and the organization).")
    static final class Add extends AdminCommand {
        @Parameters(index = "0", paramLabel = "USER", description = "The user, e.g. an e-mail address.")
        String user;

        @Mixin
        Scope scope;

        @Override
        void run(AdminSession session) {
            Member added = session.stub().addMember(
                    AddMemberRequest.newBuilder().setUser(user).setProjectId(scope.project).build());
            print(added, () -> out().println("Added " + UnsafeText.escaped(added.getUser())
                    + " to " + scope.describe() + "."));
        }
    }

    /** {@code members remove USER}: also revokes the user's keys in that scope. */
    @Command(name = "remove", description = "Remove a user from a project, or from the organization and every"
            + " project; their user keys there are revoked.")
    static final class Remove extends AdminCommand {
        @Parameters(index = "0", paramLabel = "USER", description = "The user.")
        String user;

        @Mixin
        Scope scope;

        @Override
        void run(AdminSession session) {
            RemoveMemberResponse removed = session.stub().removeMember(
                    RemoveMemberRequest.newBuilder().setUser(user).setProjectId(scope.project).build());
            print(removed, () -> {
                out().println("Removed " + UnsafeText.escaped(user) + " from " + scope.describe() + ".");
                out().println(removed.getRevokedKeyIdsCount() == 0 ? "No keys revoked."
                        : "Revoked keys: " + String.join(", ", removed.getRevokedKeyIdsList()));
            });
        }
    }

    /** {@code members list}. */
    @Command(name = "list", description = "List members of the organization or of a project.")
    static final class ListMembers extends AdminCommand {
        @Mixin
        Scope scope;

        @Override
        void run(AdminSession session) {
            ListMembersResponse members = session.stub().listMembers(
                    ListMembersRequest.newBuilder().setProjectId(scope.project).build());
            print(members, () -> printListing(members));
        }

        private void printListing(ListMembersResponse members) {
            if (members.getMembersCount() == 0) {
                out().println("No members in " + scope.describe() + ".");
                return;
            }
            Table table = Table.withHeaders("User", "Project", "Added");
            members.getMembersList().forEach(m -> table.row(m.getUser(),
                    m.getProjectId().isEmpty() ? "(organization)" : m.getProjectId(),
                    Times.formatOr(m.hasCreateTime(), m.getCreateTime(), "-")));
            table.print(out());
        }
    }
}
