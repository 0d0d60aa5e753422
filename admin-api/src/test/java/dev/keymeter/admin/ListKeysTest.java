package dev.keymeter.admin;

import static dev.keymeter.admin.AdminHarness.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.*;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every filter of ListKeys, alone and combined, and pagination without gaps or repeats. */
class ListKeysTest {

    @TempDir
    Path dir;
    AdminHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new AdminHarness(dir);
        h.project("payments"); // + its "default" key
        h.project("search");   // + its "default" key
        h.admin().addMember(AddMemberRequest.newBuilder().setUser("alice").setProjectId("payments").build());
        create("pay-user", KeyKind.KEY_KIND_PROJECT, "payments", OwnerType.OWNER_TYPE_USER,
                PermissionPreset.PERMISSION_PRESET_READ_ONLY);
        create("pay-restricted", KeyKind.KEY_KIND_PROJECT, "payments", OwnerType.OWNER_TYPE_SERVICE_ACCOUNT,
                PermissionPreset.PERMISSION_PRESET_RESTRICTED);
        String disabled = create("search-svc", KeyKind.KEY_KIND_PROJECT, "search", OwnerType.OWNER_TYPE_SERVICE_ACCOUNT,
                PermissionPreset.PERMISSION_PRESET_ALL);
        h.admin().disableKey(DisableKeyRequest.newBuilder().setKeyId(disabled).build());
        String revoked = create("org-admin", KeyKind.KEY_KIND_ADMIN, "", OwnerType.OWNER_TYPE_USER,
                PermissionPreset.PERMISSION_PRESET_ALL);
        h.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(revoked).build());
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private String create(String name, KeyKind kind, String project, OwnerType owner, PermissionPreset preset) {
        h.advance(Duration.ofSeconds(1));
        CreateKeyRequest.Builder b = CreateKeyRequest.newBuilder().setName(name).setKind(kind).setProjectId(project)
                .setOwnerType(owner).setPermissions(Permissions.newBuilder().setPreset(preset));
        if (owner == OwnerType.OWNER_TYPE_USER) {
            b.setOwnerUser("alice");
        }
        return h.admin().createKey(b.build()).getKey().getId();
    }

    private Set<String> names(Consumer<ListKeysRequest.Builder> filter) {
        ListKeysRequest.Builder b = ListKeysRequest.newBuilder();
        filter.accept(b);
        Set<String> names = new HashSet<>();
        h.admin().listKeys(b.build()).getKeysList().forEach(k -> names.add(k.getProjectId() + "/" + k.getName()));
        return names;
    }

    @Test
    void listKeys_eachFilter_selectsExactlyTheMatchingKeys() {
        assertEquals(7, names(b -> { }).size());
        assertEquals(Set.of("payments/default", "payments/pay-user", "payments/pay-restricted"),
                names(b -> b.setProjectId("payments")));
        assertEquals(Set.of("/bootstrap-admin", "/org-admin"), names(b -> b.setKind(KeyKind.KEY_KIND_ADMIN)));
        assertEquals(Set.of("payments/pay-user", "/org-admin"), names(b -> b.setOwnerType(OwnerType.OWNER_TYPE_USER)));
        assertEquals(Set.of("search/search-svc"), names(b -> b.setStatus(KeyStatus.KEY_STATUS_DISABLED)));
        assertEquals(Set.of("/org-admin"), names(b -> b.setStatus(KeyStatus.KEY_STATUS_REVOKED)));
        assertEquals(Set.of("payments/pay-user"),
                names(b -> b.setPermissionPreset(PermissionPreset.PERMISSION_PRESET_READ_ONLY)));
        assertEquals(Set.of("payments/pay-restricted"),
                names(b -> b.setPermissionPreset(PermissionPreset.PERMISSION_PRESET_RESTRICTED)));
        assertEquals(Set.of("payments/pay-restricted", "payments/default"), names(b -> b.setProjectId("payments")
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).setStatus(KeyStatus.KEY_STATUS_ACTIVE)));
    }

    @Test
    void listKeys_pagesOfTwo_coverEveryKeyOnceNewestFirst() {
        List<Key> all = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            ListKeysResponse r = h.admin().listKeys(ListKeysRequest.newBuilder().setPageSize(2).setPageToken(token).build());
            assertTrue(r.getKeysCount() <= 2);
            all.addAll(r.getKeysList());
            token = r.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        assertEquals(4, pages);
        assertEquals(7, all.size());
        assertEquals(7, all.stream().map(Key::getId).distinct().count());
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).getCreateTime().getSeconds() >= all.get(i).getCreateTime().getSeconds());
        }
        assertEquals("org-admin", all.get(0).getName());
    }

    @Test
    void listKeys_badPageSizeOrToken_isInvalidArgument() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "page_size",
                () -> h.admin().listKeys(ListKeysRequest.newBuilder().setPageSize(1001).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "page_token",
                () -> h.admin().listKeys(ListKeysRequest.newBuilder().setPageToken("!!garbage!!").build()));
    }
}
