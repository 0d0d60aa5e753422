package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.CreateProjectResponse;
import dev.keymeter.proto.admin.v1.DeleteProjectRequest;
import dev.keymeter.proto.admin.v1.DeleteProjectResponse;
import dev.keymeter.proto.admin.v1.GetProjectRequest;
import dev.keymeter.proto.admin.v1.ListProjectsRequest;
import dev.keymeter.proto.admin.v1.ListProjectsResponse;
import dev.keymeter.proto.admin.v1.Project;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keymeter projects …}: create, show, list and delete projects. */
@Command(name = "projects", synopsisSubcommandLabel = "COMMAND",
        description = "Create, show, list and delete projects.",
        subcommands = {ProjectsCommand.Create.class, ProjectsCommand.Get.class,
            ProjectsCommand.ListProjects.class, ProjectsCommand.Delete.class})
public final class ProjectsCommand extends CommandGroup {

    /** A command about one project. */
    abstract static class ProjectIdCommand extends AdminCommand {
        @Parameters(index = "0", paramLabel = "PROJECT_ID", description = "The project's id, e.g. payments.")
        String projectId;
    }

    /** {@code projects create}: the project and its first key, whose token is printed once. */
    @Command(name = "create", description = "Create a project and its first key; the key's token is printed once.")
    static final class Create extends ProjectIdCommand {
        @Option(names = "--display-name", paramLabel = "NAME", description = "Human-readable name (default: the id).")
        String displayName = "";

        @Override
        void run(AdminSession session) {
            CreateProjectResponse created = session.stub().createProject(CreateProjectRequest.newBuilder()
                    .setProjectId(projectId).setDisplayName(displayName).build());
            print(created, () -> {
                out().println("Created project " + created.getProject().getId() + ".");
                KeyViews.printToken(out(), created.getToken());
                KeyViews.printDetails(out(), created.getKey());
            });
        }
    }

    /** {@code projects get}. */
    @Command(name = "get", description = "Show one project.")
    static final class Get extends ProjectIdCommand {
        @Override
        void run(AdminSession session) {
            Project project = session.stub().getProject(GetProjectRequest.newBuilder().setProjectId(projectId).build());
            print(project, () -> table(List.of(project)).print(out()));
        }
    }

    /** {@code projects list}. */
    @Command(name = "list", description = "List projects, oldest first.")
    static final class ListProjects extends AdminCommand {
        @Mixin
        PageOptions pages;

        @Override
        void run(AdminSession session) {
            List<ListProjectsResponse> fetched = pages.fetch(token -> session.stub().listProjects(
                    ListProjectsRequest.newBuilder().setPageSize(pages.pageSize).setPageToken(token).build()),
                    ListProjectsResponse::getNextPageToken);
            ListProjectsResponse.Builder merged = ListProjectsResponse.newBuilder()
                    .setNextPageToken(fetched.get(fetched.size() - 1).getNextPageToken());
            fetched.forEach(page -> merged.addAllProjects(page.getProjectsList()));
            print(merged, () -> printListing(table(merged.getProjectsList()), merged.getProjectsCount(),
                    "No projects.", merged.getNextPageToken()));
        }
    }

    /** {@code projects delete --yes}: revokes every key of the project. */
    @Command(name = "delete", description = "Delete a project and revoke all of its keys (needs --yes).")
    static final class Delete extends ProjectIdCommand {
        @Mixin
        ConfirmOption confirm;

        @Override
        void validate() {
            confirm.require(spec, "deleting project " + projectId + " (and revoking its keys)");
        }

        @Override
        void run(AdminSession session) {
            DeleteProjectResponse deleted = session.stub().deleteProject(
                    DeleteProjectRequest.newBuilder().setProjectId(projectId).build());
            print(deleted, () -> out().println("Deleted project " + projectId + "; revoked "
                    + deleted.getRevokedKeys() + " key(s)."));
        }
    }

    /** ID, Name, Created, Created by. */
    static Table table(List<Project> projects) {
        Table table = Table.withHeaders("ID", "Name", "Created", "Created by");
        projects.forEach(p -> table.row(p.getId(), p.getDisplayName(),
                Times.formatOr(p.hasCreateTime(), p.getCreateTime(), "-"), p.getCreatedBy()));
        return table;
    }
}
