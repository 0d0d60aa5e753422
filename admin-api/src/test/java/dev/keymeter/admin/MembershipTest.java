package dev.keymeter.admin;

import static dev.keymeter.admin.AdminHarness.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keymeter.proto.admin.v1.*;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User keys follow their owner's membership: removal revokes them, automatically. */
class MembershipTest {

    @TempDir
    Path dir;
    AdminHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new AdminHarness(dir);
        h.project("payments");
        h.project("search");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private void add(String user, String project) {
        h.admin().addMember(AddMemberRequest.newBuilder().setUser(user).setProjectId(project).build());
    }

    private CreateKeyResponse userKey(String user, String project, String name) {
        return h.admin().createKey(CreateKeyRequest.newBuilder().setName(name).setKind(KeyKind.KEY_KIND_PROJECT)
                .setProjectId(project).setOwnerType(OwnerType.OWNER_TYPE_USER).setOwnerUser(user).build());
    }

    private KeyStatus status(String keyId) {
        return h.admin().getKey(GetKeyRequest.newBuilder().setKeyId(keyId).build()).getStatus();
    }

    @Test
    void createUserKey_ownerNotAMember_isFailedPrecondition() {
        assertStatus(Status.Code.FAILED_PRECONDITION, "not a member of project payments",
                () -> userKey("alice@example.com", "payments", "laptop"));
    }

    @Test
    void removeFromProject_revokesOnlyThatProjectsKeys() {
        add("alice@example.com", "payments");
        add("alice@example.com", "search");
        String pay = userKey("alice@example.com", "payments", "laptop").getKey().getId();
        String search = userKey("alice@example.com", "search", "laptop").getKey().getId();
        RemoveMemberResponse r = h.admin().removeMember(RemoveMemberRequest.newBuilder()
                .setUser("alice@example.com").setProjectId("payments").build());
        assertEquals(List.of(pay), r.getRevokedKeyIdsList());
        assertEquals(KeyStatus.KEY_STATUS_REVOKED, status(pay));
        assertEquals(KeyStatus.KEY_STATUS_ACTIVE, status(search));
    }

    @Test
    void removeFromOrganization_revokesEveryKeyOfTheUser_andLeavesOthersAlone() {
        add("alice@example.com", "payments");
        add("alice@example.com", "search");
        add("bob@example.com", "payments");
        String pay = userKey("alice@example.com", "payments", "a1").getKey().getId();
        String search = userKey("alice@example.com", "search", "a2").getKey().getId();
        String admin = h.admin().createKey(CreateKeyRequest.newBuilder().setName("alice-admin")
                .setKind(KeyKind.KEY_KIND_ADMIN).setOwnerType(OwnerType.OWNER_TYPE_USER)
                .setOwnerUser("alice@example.com").build()).getKey().getId();
        String bob = userKey("bob@example.com", "payments", "b1").getKey().getId();
        String service = h.serviceKey("payments", "svc").getKey().getId();

        RemoveMemberResponse r = h.admin().removeMember(RemoveMemberRequest.newBuilder()
                .setUser("alice@example.com").build());

        assertEquals(Set.of(pay, search, admin), Set.copyOf(r.getRevokedKeyIdsList()));
        for (String id : List.of(pay, search, admin)) {
            assertEquals(KeyStatus.KEY_STATUS_REVOKED, status(id));
        }
        assertEquals(KeyStatus.KEY_STATUS_ACTIVE, status(bob));
        assertEquals(KeyStatus.KEY_STATUS_ACTIVE, status(service));
        assertEquals(0, h.admin().listMembers(ListMembersRequest.newBuilder().setProjectId("search").build())
                .getMembersCount());
    }

    @Test
    void removeMember_notAMember_isNotFound() {
        assertStatus(Status.Code.NOT_FOUND, "member nobody",
                () -> h.admin().removeMember(RemoveMemberRequest.newBuilder().setUser("nobody").build()));
    }

    @Test
    void addMember_toProject_alsoJoinsTheOrganization() {
        add("carol", "search");
        assertEquals(List.of("carol"), h.admin().listMembers(ListMembersRequest.getDefaultInstance())
                .getMembersList().stream().map(Member::getUser).toList());
        assertEquals(List.of("carol"), h.admin().listMembers(ListMembersRequest.newBuilder().setProjectId("search").build())
                .getMembersList().stream().map(Member::getUser).toList());
    }

    @Test
    void addMember_unknownProject_isNotFound_andWhitespaceUserIsInvalid() {
        assertStatus(Status.Code.NOT_FOUND, "project ghost", () -> add("dave", "ghost"));
        assertStatus(Status.Code.INVALID_ARGUMENT, "user", () -> add("da ve", "search"));
    }
}
