package dev.keymeter.store;

import dev.keymeter.keys.Project;
import dev.keymeter.store.PageToken.Cursor;
import dev.keymeter.store.PageToken.Listing;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Projects: one row each, listed oldest first. */
final class ProjectRows {

    private static final String SELECT = "SELECT id, display_name, created_at, created_by FROM projects";

    private ProjectRows() {
    }

    static void insert(Connection connection, Project project) throws SQLException {
        Sql.update(connection, "INSERT INTO projects (id, display_name, created_at, created_by) VALUES (?, ?, ?, ?)",
                project.id(), project.displayName(), project.createdAt(), project.createdBy());
    }

    /** Deletes the project; its memberships go with it (foreign-key cascade), its keys stay. */
    static void delete(Connection connection, String projectId) throws SQLException {
        Sql.update(connection, "DELETE FROM projects WHERE id = ?", projectId);
    }

    static Optional<Project> find(Connection connection, String projectId) throws SQLException {
        return Sql.queryOne(connection, SELECT + " WHERE id = ?", ProjectRows::project, projectId);
    }

    static Page<Project> page(Connection connection, int pageSize, String pageToken) throws SQLException {
        PageToken.requirePageSize(pageSize);
        Cursor after = PageToken.decode(Listing.PROJECTS, pageToken);
        String order = " ORDER BY created_at, id LIMIT ?";
        var rows = after == null
                ? Sql.query(connection, SELECT + order, ProjectRows::project, pageSize + 1)
                : Sql.query(connection, SELECT + " WHERE (created_at, id) > (?, ?)" + order, ProjectRows::project,
                        after.position(), after.id(), pageSize + 1);
        return PageToken.page(rows, pageSize, Listing.PROJECTS,
                p -> new Cursor(p.createdAt().toEpochMilli(), p.id()));
    }

    private static Project project(ResultSet row) throws SQLException {
        return new Project(row.getString("id"), row.getString("display_name"), Sql.instant(row, "created_at"),
                row.getString("created_by"));
    }
}
