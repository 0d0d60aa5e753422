package dev.keymeter.store;

import dev.keymeter.keys.Member;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Memberships. {@code project_id} is NULL for the organization, as in {@link Member}; lookups
 * compare {@code COALESCE(project_id, '')} so that one parameter, with {@code ''} standing for the
 * organization, matches the unique index.
 */
final class MemberRows {

    private MemberRows() {
    }

    /** Adds the membership unless it exists (the unique index makes the insert a no-op then). */
    static void add(Connection connection, Member member) throws SQLException {
        Sql.update(connection, "INSERT INTO members (user_name, project_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                member.user(), member.projectId(), member.createdAt());
    }

    static boolean remove(Connection connection, String user, String projectId) throws SQLException {
        return Sql.update(connection, "DELETE FROM members WHERE user_name = ? AND COALESCE(project_id, '') = ?",
                user, scope(projectId)) > 0;
    }

    static boolean isMember(Connection connection, String user, String projectId) throws SQLException {
        return Sql.queryLong(connection,
                "SELECT CASE WHEN EXISTS (SELECT 1 FROM members WHERE user_name = ? AND COALESCE(project_id, '') = ?)"
                        + " THEN 1 ELSE 0 END",
                user, scope(projectId)) != 0;
    }

    static List<Member> list(Connection connection, String projectId) throws SQLException {
        return Sql.query(connection,
                "SELECT user_name, project_id, created_at FROM members WHERE COALESCE(project_id, '') = ?"
                        + " ORDER BY user_name",
                row -> new Member(row.getString("user_name"), row.getString("project_id"),
                        Sql.instant(row, "created_at")),
                scope(projectId));
    }

    static List<String> projectsOf(Connection connection, String user) throws SQLException {
        return Sql.query(connection,
                "SELECT project_id FROM members WHERE user_name = ? AND project_id IS NOT NULL ORDER BY project_id",
                row -> row.getString(1), user);
    }

    private static String scope(String projectId) {
        return projectId == null ? "" : projectId;
    }
}
