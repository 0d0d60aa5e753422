package dev.keymeter.store;

/**
 * Makes a SQLite store's writes fail with the real {@code SQLITE_FULL}: {@code PRAGMA max_page_count}
 * on its write connection caps the database file at its current size, as a full disk would.
 */
public final class PageLimit {

    private PageLimit() {
    }

    /** Caps the database at the pages it has now; writes that need one more fail with SQLITE_FULL. */
    public static void capAtCurrentSize(KeyStore store) {
        set(store, "(SELECT page_count FROM pragma_page_count())");
    }

    /** Lifts the cap: space has returned. */
    public static void lift(KeyStore store) {
        set(store, "1073741823");
    }

    private static void set(KeyStore store, String pages) {
        JdbcStore jdbc = (JdbcStore) store;
        long count = jdbc.readJdbc(c -> Sql.queryOne(c, "PRAGMA page_count", row -> row.getLong(1)).orElseThrow(),
                "count pages");
        String value = pages.startsWith("(") ? Long.toString(count) : pages;
        jdbc.writeJdbc(c -> {
            Sql.queryOne(c, "PRAGMA max_page_count = " + value, row -> row.getLong(1));
            return null;
        }, "limit pages");
    }
}
