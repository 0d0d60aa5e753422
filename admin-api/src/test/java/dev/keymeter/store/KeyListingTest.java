package dev.keymeter.store;

import static dev.keymeter.store.KeyStoreTest.ids;
import static dev.keymeter.store.TestKeys.T0;
import static dev.keymeter.store.TestKeys.insert;
import static dev.keymeter.store.TestKeys.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.Permissions;
import dev.keymeter.keys.Project;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Key listings: every filter, and keyset pagination. */
@ParameterizedClass
@EnumSource(StoreKind.class)
class KeyListingTest {

    @Parameter
    StoreKind kind;

    @TempDir
    Path dir;

    private KeyStore store;
    private final List<ApiKey> written = new ArrayList<>();

    /** 25 keys: a mix of kinds, owners, statuses and presets; several share a creation time. */
    @BeforeEach
    void openWithKeys() {
        store = kind.open(dir);
        for (int i = 0; i < 25; i++) {
            TestKeys.Builder b = key(String.format("key_%02d", i)).createdAt(T0.plusMillis(i / 3));
            if (i % 5 == 0) {
                b.admin();
            } else {
                b.project(i % 2 == 0 ? "p-even" : "p-odd");
            }
            if (i % 4 == 1) {
                b.user("user" + i);
            }
            b.status(KeyStatus.values()[i % 3]);
            b.permissions(i % 4 == 3 ? Permissions.READ_ONLY : Permissions.ALL);
            written.add(insert(store, b));
        }
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void listKeys_pagesOfTen_coverEveryKeyOnceNewestFirst() {
        List<String> seen = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            String pageToken = token;
            Page<ApiKey> page = store.read(r -> r.listKeys(KeyFilter.ALL, 10, pageToken));
            seen.addAll(ids(page.items()));
            token = page.nextPageToken();
            pages++;
        } while (!token.isEmpty());

        assertEquals(3, pages);
        assertEquals(expected(k -> true), seen);
    }

    @Test
    void listKeys_exactlyOnePageOfKeys_hasNoNextToken() {
        Page<ApiKey> page = store.read(r -> r.listKeys(KeyFilter.ALL, 25, ""));

        assertEquals(25, page.items().size());
        assertEquals("", page.nextPageToken());
    }

    @Test
    void listKeys_eachFilter_matchesOnlyItsKeys() {
        assertFiltered(new KeyFilter("p-even", null, null, null, null), k -> "p-even".equals(k.projectId()));
        assertFiltered(new KeyFilter(null, KeyKind.ADMIN, null, null, null), k -> k.kind() == KeyKind.ADMIN);
        assertFiltered(new KeyFilter(null, null, OwnerType.USER, null, null), k -> k.ownerType() == OwnerType.USER);
        assertFiltered(new KeyFilter(null, null, null, KeyStatus.REVOKED, null), k -> k.status() == KeyStatus.REVOKED);
        assertFiltered(new KeyFilter(null, null, null, null, PermissionPreset.READ_ONLY),
                k -> k.permissions().preset() == PermissionPreset.READ_ONLY);
    }

    @Test
    void listKeys_filtersTogether_combineWithAnd() {
        assertFiltered(new KeyFilter("p-odd", KeyKind.PROJECT, OwnerType.SERVICE_ACCOUNT, KeyStatus.DISABLED,
                PermissionPreset.READ_ONLY), k -> "p-odd".equals(k.projectId())
                && k.ownerType() == OwnerType.SERVICE_ACCOUNT && k.status() == KeyStatus.DISABLED
                && k.permissions().preset() == PermissionPreset.READ_ONLY);
    }

    @Test
    void listKeys_filteredInPagesOfTwo_coversEveryMatchOnce() {
        KeyFilter filter = new KeyFilter(null, KeyKind.PROJECT, null, null, null);
        List<String> seen = new ArrayList<>();
        String token = "";
        do {
            String pageToken = token;
            Page<ApiKey> page = store.read(r -> r.listKeys(filter, 2, pageToken));
            seen.addAll(ids(page.items()));
            token = page.nextPageToken();
        } while (!token.isEmpty());

        assertEquals(expected(k -> k.kind() == KeyKind.PROJECT), seen);
    }

    @Test
    void listKeys_malformedToken_throwsNamingPageToken() {
        String projectsToken = store.write(w -> {
            for (int i = 0; i < 2; i++) {
                w.insertProject(new Project("p" + i, "P", T0, "key_admin"));
            }
            return w.listProjects(1, "").nextPageToken();
        });

        for (String bad : List.of("***", "bm90IGEgdG9rZW4", projectsToken)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> store.read(r -> r.listKeys(KeyFilter.ALL, 10, bad)));
            assertEquals("page_token: malformed", e.getMessage());
        }
    }

    private void assertFiltered(KeyFilter filter, Predicate<ApiKey> matches) {
        List<String> expected = expected(matches);
        assertEquals(expected, ids(store.read(r -> r.listKeys(filter, 1000, "")).items()), filter.toString());
        assertFalse(expected.isEmpty(), "the fixture has no key for " + filter);
    }

    private List<String> expected(Predicate<ApiKey> matches) {
        return written.stream().filter(matches)
                .sorted(Comparator.comparing(ApiKey::createdAt).thenComparing(ApiKey::id).reversed())
                .map(ApiKey::id).toList();
    }
}
