package dev.keymeter.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Thin JDBC helpers so that the row classes read as SQL. Parameters bind by type, with the store's
 * two conventions in one place: an {@link Instant} binds as epoch milliseconds and an enum by its
 * name.
 */
final class Sql {

    /** Maps the current row of a result set. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private Sql() {
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Runs an INSERT, UPDATE or DELETE; returns the number of rows it changed. */
    static int update(Connection connection, String sql, Object... params) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, params);
            return statement.executeUpdate();
        }
    }

    static <T> List<T> query(Connection connection, String sql, RowMapper<T> mapper, Object... params)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, params);
            try (ResultSet rows = statement.executeQuery()) {
                List<T> result = new ArrayList<>();
                while (rows.next()) {
                    result.add(mapper.map(rows));
                }
                return result;
            }
        }
    }

    static <T> Optional<T> queryOne(Connection connection, String sql, RowMapper<T> mapper, Object... params)
            throws SQLException {
        return query(connection, sql, mapper, params).stream().findFirst();
    }

    /** The first column of the first row, which must exist and be an integer. */
    static long queryLong(Connection connection, String sql, Object... params) throws SQLException {
        return queryOne(connection, sql, row -> row.getLong(1), params)
                .orElseThrow(() -> new SQLException("no row for: " + sql));
    }

    /** A nullable INTEGER column. */
    static Long nullableLong(ResultSet row, String column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : value;
    }

    /** A nullable epoch-milliseconds column. */
    static Instant nullableInstant(ResultSet row, String column) throws SQLException {
        Long millis = nullableLong(row, column);
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    static Instant instant(ResultSet row, String column) throws SQLException {
        return Instant.ofEpochMilli(row.getLong(column));
    }

    private static void bind(PreparedStatement statement, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object value = params[i];
            int index = i + 1;
            if (value == null) {
                statement.setNull(index, Types.NULL);
            } else if (value instanceof Instant instant) {
                statement.setLong(index, instant.toEpochMilli());
            } else if (value instanceof Enum<?> constant) {
                statement.setString(index, constant.name());
            } else if (value instanceof Boolean flag) {
                statement.setInt(index, flag ? 1 : 0);
            } else if (value instanceof Long || value instanceof Integer) {
                statement.setLong(index, ((Number) value).longValue());
            } else if (value instanceof String || value instanceof byte[]) {
                statement.setObject(index, value);
            } else {
                throw new IllegalArgumentException("no SQL binding for " + value.getClass().getName());
            }
        }
    }
}
