package dev.keymeter.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the control plane keeps its state, as {@code --store} names it:
 * <ul>
 *   <li>{@code sqlite:PATH} — one SQLite file (the default: {@code sqlite:<data-dir>/keymeter.db});</li>
 *   <li>{@code postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE[?PARAMS]} — a PostgreSQL database
 *       several control planes share; {@code PARAMS} are pgjdbc's ({@code sslmode=verify-full}, …).
 *       Put a password in {@code KEYMETER_STORE} (the environment) or a file
 *       ({@code --store-password-file}), never in a flag: flags show in {@code ps}.</li>
 * </ul>
 * {@link #toString()} never shows the password.
 *
 * @param sqliteFile  the SQLite file, or {@code null} for PostgreSQL
 * @param jdbcUrl     the PostgreSQL JDBC URL without credentials, or {@code null} for SQLite
 * @param user        the PostgreSQL user, or {@code null}
 * @param password    the PostgreSQL password, or {@code null}
 */
public record StoreSpec(Path sqliteFile, String jdbcUrl, String user, String password) {

    public StoreSpec {
        if ((sqliteFile == null) == (jdbcUrl == null)) {
            throw new IllegalArgumentException("a store is either a SQLite file or a PostgreSQL URL");
        }
    }

    /** The default store: {@code keymeter.db} in {@code dataDir}. */
    public static StoreSpec sqlite(Path file) {
        return new StoreSpec(Objects.requireNonNull(file, "file"), null, null, null);
    }

    /**
     * Parses {@code --store}; {@code dataDir} resolves a relative SQLite path.
     *
     * @throws IllegalArgumentException naming what is wrong (never echoing a password)
     */
    public static StoreSpec parse(String spec, Path dataDir) {
        Objects.requireNonNull(spec, "spec");
        if (spec.startsWith("sqlite:")) {
            String path = spec.substring("sqlite:".length());
            if (path.isBlank()) {
                throw new IllegalArgumentException("--store sqlite: needs a file path, e.g. sqlite:./data/keymeter.db");
            }
            return sqlite(dataDir == null ? Path.of(path) : dataDir.resolve(path));
        }
        if (spec.startsWith("postgresql://") || spec.startsWith("postgres://")) {
            return postgres(spec);
        }
        throw new IllegalArgumentException("--store must be sqlite:PATH or postgresql://HOST:PORT/DATABASE, was "
                + scheme(spec));
    }

    private static StoreSpec postgres(String spec) {
        URI uri;
        try {
            uri = new URI(spec);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--store is not a valid PostgreSQL URL (" + e.getReason() + ")");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("--store postgresql URL needs a host: postgresql://HOST:PORT/DATABASE");
        }
        String path = uri.getRawPath();
        if (path == null || path.length() < 2) {
            throw new IllegalArgumentException("--store postgresql URL needs a database: postgresql://HOST:PORT/DATABASE");
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost();
        String url = "jdbc:postgresql://" + host + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + path
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new StoreSpec(null, url, user == null || user.isEmpty() ? null : user, password);
    }

    /** This store with {@code newPassword} (from a file or the environment) instead of the URL's. */
    public StoreSpec withPassword(String newPassword) {
        if (jdbcUrl == null) {
            throw new IllegalArgumentException("a password applies to a PostgreSQL store, not to " + this);
        }
        return new StoreSpec(null, jdbcUrl, user, newPassword);
    }

    /** Opens (and migrates) the store. */
    public KeyStore open() {
        return postgres() ? PostgresKeyStore.open(this) : SqliteKeyStore.open(sqliteFile);
    }

    public boolean postgres() {
        return jdbcUrl != null;
    }

    @Override
    public String toString() {
        if (sqliteFile != null) {
            return "sqlite:" + sqliteFile;
        }
        String shown = jdbcUrl.substring("jdbc:".length());
        return (user == null ? shown : shown.replaceFirst("//", "//" + user + (password == null ? "" : ":***") + "@"));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The part before "://" or ":", to name a wrong scheme without echoing the rest (it may hold a password). */
    private static String scheme(String spec) {
        int end = spec.indexOf(':');
        return end < 0 ? "'" + (spec.length() > 20 ? spec.substring(0, 20) + "…" : spec) + "'" : "'" + spec.substring(0, end) + ":…'";
    }
}
