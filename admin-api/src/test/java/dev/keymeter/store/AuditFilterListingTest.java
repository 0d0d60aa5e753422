package dev.keymeter.store;

import static dev.keymeter.store.TestKeys.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keymeter.audit.AuditEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Audit listings filtered by actor and action (with target, combined with AND) and paged, on each database. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class AuditFilterListingTest {

    private static final String[] ACTORS = {"key_a", "key_b"};
    private static final String[] ACTIONS = {"CreateKey", "RevokeKey", "UpdateKey"};
    private static final String[] TARGETS = {"key/key_x", "key/key_y"};

    @Parameter
    StoreKind kind;

    @TempDir
    Path dir;

    private KeyStore store;
    /** The 24 entries appended, oldest first, with their ids: every (actor, action, target) combination twice. */
    private List<AuditEntry> appended;

    @BeforeEach
    void open() {
        store = kind.open(dir);
        appended = store.write(w -> {
            List<AuditEntry> entries = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                AuditEntry e = new AuditEntry(0, T0.plusMillis(i), ACTORS[i % 2], ACTIONS[i % 3], TARGETS[(i / 6) % 2],
                        AuditEntry.OK, Map.of(), i);
                long id = w.appendAudit(e);
                entries.add(new AuditEntry(id, e.time(), e.actorKeyId(), e.action(), e.target(), e.outcome(),
                        e.changes(), e.revision()));
            }
            return entries;
        });
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void listAudit_actorOnly_returnsThatActorsEntriesNewestFirst() {
        assertEquals(expected(new AuditFilter(null, "key_b", null)),
                store.read(r -> r.listAudit(new AuditFilter(null, "key_b", null), 100, "")).items());
    }

    @Test
    void listAudit_actionOnly_returnsThatActionsEntriesNewestFirst() {
        List<AuditEntry> revokes = store.read(r -> r.listAudit(new AuditFilter(null, null, "RevokeKey"), 100, "")).items();

        assertEquals(expected(new AuditFilter(null, null, "RevokeKey")), revokes);
        assertEquals(8, revokes.size());
    }

    @Test
    void listAudit_allThreeFilters_combineWithAnd() {
        AuditFilter filter = new AuditFilter("key/key_y", "key_a", "CreateKey");

        List<AuditEntry> found = store.read(r -> r.listAudit(filter, 100, "")).items();

        // i even (key_a), i % 3 == 0 (CreateKey), (i / 6) odd (key_y): i = 6, 18.
        assertEquals(List.of(appended.get(18), appended.get(6)), found);
    }

    @Test
    void listAudit_filtersMatchingNothing_returnsAnEmptyLastPage() {
        Page<AuditEntry> page = store.read(r -> r.listAudit(new AuditFilter(null, "key_zz", "CreateKey"), 10, ""));

        assertEquals(List.of(), page.items());
        assertEquals("", page.nextPageToken());
    }

    @Test
    void listAudit_combinedFiltersInPagesOfOne_walksEveryMatchOnce() {
        AuditFilter filter = new AuditFilter(null, "key_a", "UpdateKey");
        List<AuditEntry> walked = new ArrayList<>();
        String token = "";
        do {
            String pageToken = token;
            Page<AuditEntry> page = store.read(r -> r.listAudit(filter, 1, pageToken));
            walked.addAll(page.items());
            token = page.nextPageToken();
        } while (!token.isEmpty());

        assertEquals(expected(filter), walked);
        assertEquals(4, walked.size());
    }

    @Test
    void listAudit_tokenUsedWithOtherFilters_isRefusedNamingPageToken() {
        String token = store.read(r -> r.listAudit(new AuditFilter(null, "key_a", null), 2, "")).nextPageToken();

        for (AuditFilter other : List.of(AuditFilter.ALL, new AuditFilter(null, "key_b", null),
                new AuditFilter(null, "key_a", "CreateKey"), new AuditFilter("key/key_x", "key_a", null))) {
            InvalidPageException e = assertThrows(InvalidPageException.class,
                    () -> store.read(r -> r.listAudit(other, 2, token)), other.toString());
            assertEquals(AuditRows.OTHER_FILTERS, e.getMessage());
        }
        assertEquals(2, store.read(r -> r.listAudit(new AuditFilter(null, "key_a", null), 2, token)).items().size());
    }

    @Test
    void listAudit_targetTokenUsedWithoutTarget_isRefused() {
        String token = store.read(r -> r.listAudit("key/key_x", 1, "")).nextPageToken();

        assertThrows(InvalidPageException.class, () -> store.read(r -> r.listAudit(AuditFilter.ALL, 1, token)));
    }

    private List<AuditEntry> expected(AuditFilter f) {
        List<AuditEntry> newestFirst = new ArrayList<>(appended);
        Collections.reverse(newestFirst);
        return newestFirst.stream()
                .filter(e -> f.target() == null || e.target().equals(f.target()))
                .filter(e -> f.actorKeyId() == null || e.actorKeyId().equals(f.actorKeyId()))
                .filter(e -> f.action() == null || e.action().equals(f.action()))
                .toList();
    }
}
