package dev.keymeter.store;

import static dev.keymeter.store.TestKeys.T0;
import static dev.keymeter.store.TestKeys.digest;
import static dev.keymeter.store.TestKeys.graceSecret;
import static dev.keymeter.store.TestKeys.insert;
import static dev.keymeter.store.TestKeys.key;
import static dev.keymeter.store.TestKeys.secret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.Permissions;
import dev.keymeter.keys.Project;
import dev.keymeter.keys.Resource;
import dev.keymeter.keys.ResetPeriod;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Keys in a real store, SQLite and PostgreSQL alike: round trips, uniqueness, updates, deletes and
 * key queries.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class KeyStoreTest {

    @Parameter
    StoreKind kind;

    @TempDir
    Path dir;

    private KeyStore store;

    @BeforeEach
    void open() {
        store = kind.open(dir.resolve("nested/dirs"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void insertKey_everyField_roundTrips() {
        ApiKey written = insert(store, key("key_full").name("payments-bot").project("payments").user("alice")
                .status(KeyStatus.DISABLED)
                .permissions(Permissions.restricted(Map.of(Resource.CHAT_COMPLETIONS, AccessLevel.WRITE,
                        Resource.DATASETS, AccessLevel.READ, Resource.FILES, AccessLevel.NONE)))
                .limits(new Limits(2_500_000L, 1_000_000L, 120L, ResetPeriod.MONTHLY))
                .expiresAt(T0.plusSeconds(86_400)).createdBy("key_admin")
                .secrets(List.of(secret("current"), graceSecret("previous", T0.plusSeconds(3_600)))));

        Optional<ApiKey> read = store.read(r -> r.findKey("key_full"));

        assertEquals(Optional.of(written), read);
        assertEquals(Map.of(Resource.CHAT_COMPLETIONS, AccessLevel.WRITE, Resource.DATASETS, AccessLevel.READ),
                read.orElseThrow().permissions().levels());
        assertEquals(written, store.read(r -> r.findKeyByDigest(digest("previous"))).orElseThrow());
        assertEquals(written, store.read(r -> r.findKeyByName("payments", "payments-bot")).orElseThrow());
    }

    @Test
    void insertKey_adminLegacyWithoutLimitsOrCreator_roundTrips() {
        ApiKey written = insert(store, key("key_admin").admin().legacy(true).createdBy(null)
                .permissions(Permissions.READ_ONLY));

        assertEquals(Optional.of(written), store.read(r -> r.findKey("key_admin")));
        assertEquals(Optional.of(written), store.read(r -> r.findKeyByName(null, written.name())));
        assertTrue(store.read(StoreReader::anyAdminKey));
    }

    @Test
    void findKey_secretsStoredGraceFirst_returnsCurrentFirst() {
        insert(store, key("key_r").secrets(List.of(graceSecret("old", T0.plusSeconds(60)), secret("new"))));

        ApiKey read = store.read(r -> r.findKey("key_r")).orElseThrow();

        assertEquals(List.of(secret("new"), graceSecret("old", T0.plusSeconds(60))), read.secrets());
    }

    @Test
    void insertKey_nameTakenInSameProject_throwsDuplicateKeyName() {
        insert(store, key("key_a").project("p1").name("ci"));

        DuplicateException e = assertThrows(DuplicateException.class,
                () -> insert(store, key("key_b").project("p1").name("ci")));

        assertEquals("key name", e.what());
        assertEquals("key name already exists", e.getMessage());
        assertEquals(Optional.empty(), store.read(r -> r.findKey("key_b")));
    }

    @Test
    void insertKey_sameNameInOtherProjectOrAmongAdmins_isAllowed() {
        insert(store, key("key_a").project("p1").name("ci"));
        insert(store, key("key_b").project("p2").name("ci"));
        insert(store, key("key_c").admin().name("ci"));

        assertEquals("key_b", store.read(r -> r.findKeyByName("p2", "ci")).orElseThrow().id());
        assertEquals("key_c", store.read(r -> r.findKeyByName(null, "ci")).orElseThrow().id());
    }

    @Test
    void insertKey_nameTakenAmongAdminKeys_throwsDuplicateKeyName() {
        insert(store, key("key_a").admin().name("root"));

        DuplicateException e = assertThrows(DuplicateException.class,
                () -> insert(store, key("key_b").admin().name("root")));

        assertEquals("key name", e.what());
    }

    @Test
    void insertKey_digestOfAnotherKey_throwsDuplicateSecretDigest() {
        insert(store, key("key_a").secrets(List.of(secret("shared"))));

        DuplicateException e = assertThrows(DuplicateException.class,
                () -> insert(store, key("key_b").secrets(List.of(secret("shared")))));

        assertEquals("secret digest", e.what());
        assertEquals("key_a", store.read(r -> r.findKeyByDigest(digest("shared"))).orElseThrow().id());
    }

    @Test
    void insertKey_existingId_throwsDuplicateKeyId() {
        insert(store, key("key_a").name("one"));

        DuplicateException e = assertThrows(DuplicateException.class,
                () -> insert(store, key("key_a").name("two").secrets(List.of(secret("other")))));

        assertEquals("key id", e.what());
    }

    @Test
    void insertProject_existingId_throwsDuplicateProjectId() {
        Project project = new Project("payments", "Payments", T0, "key_admin");
        store.write(w -> {
            w.insertProject(project);
            return null;
        });

        DuplicateException e = assertThrows(DuplicateException.class, () -> store.write(w -> {
            w.insertProject(project);
            return null;
        }));

        assertEquals("project id", e.what());
    }

    @Test
    void updateKey_newSecretsAndName_replacesRowAndSecrets() {
        ApiKey original = insert(store, key("key_u").name("before").secrets(List.of(secret("s1"))));

        ApiKey updated = store.write(w -> {
            long revision = w.nextRevision();
            ApiKey changed = original
                    .withSettings("after", Permissions.READ_ONLY, Limits.NONE, null, T0.plusSeconds(5), revision)
                    .withSecrets(List.of(secret("s2"), graceSecret("s1", T0.plusSeconds(60))), T0.plusSeconds(5),
                            revision);
            w.updateKey(changed);
            return changed;
        });

        assertEquals(Optional.of(updated), store.read(r -> r.findKey("key_u")));
        assertEquals(Optional.empty(), store.read(r -> r.findKeyByName("proj", "before")));
        assertEquals("key_u", store.read(r -> r.findKeyByDigest(digest("s2"))).orElseThrow().id());
    }

    @Test
    void updateKey_renamedToTakenName_throwsDuplicateKeyName() {
        insert(store, key("key_a").name("taken"));
        ApiKey other = insert(store, key("key_b").name("free"));

        DuplicateException e = assertThrows(DuplicateException.class, () -> store.write(w -> {
            w.updateKey(other.withSettings("taken", other.permissions(), other.limits(), null, T0, w.nextRevision()));
            return null;
        }));

        assertEquals("key name", e.what());
        assertEquals("free", store.read(r -> r.findKey("key_b")).orElseThrow().name());
    }

    @Test
    void deleteKey_existing_removesKeyAndItsSecrets() {
        insert(store, key("key_d").secrets(List.of(secret("gone"))));

        store.write(w -> {
            w.deleteKey("key_d", w.nextRevision());
            return null;
        });

        assertEquals(Optional.empty(), store.read(r -> r.findKey("key_d")));
        assertEquals(Optional.empty(), store.read(r -> r.findKeyByDigest(digest("gone"))));
        insert(store, key("key_e").secrets(List.of(secret("gone"))));
    }

    @Test
    void keyQueries_ownerProjectAndAll_returnMatchingKeys() {
        insert(store, key("key_1").project("p1").user("alice").createdAt(T0));
        insert(store, key("key_2").project("p2").user("alice").createdAt(T0.plusMillis(1)));
        insert(store, key("key_3").project("p1").createdAt(T0.plusMillis(2)));
        assertFalse(store.read(StoreReader::anyAdminKey));

        assertEquals(List.of("key_2", "key_1"), ids(store.read(r -> r.keysOwnedBy("alice", null))));
        assertEquals(List.of("key_1"), ids(store.read(r -> r.keysOwnedBy("alice", "p1"))));
        assertEquals(List.of("key_3", "key_1"), ids(store.read(r -> r.keysInProject("p1"))));
        assertEquals(List.of("key_1", "key_2", "key_3"), ids(store.read(StoreReader::allKeys)));
    }

    static List<String> ids(List<ApiKey> keys) {
        return keys.stream().map(ApiKey::id).toList();
    }
}
