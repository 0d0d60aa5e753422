package dev.keymeter.admin;

import static dev.keymeter.admin.AdminHarness.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.keymeter.audit.AuditAction;
import dev.keymeter.proto.admin.v1.*;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ListAuditRecords filtered by actor and action over the real gRPC API: matches, refusals, paging. */
class AuditFiltersTest {

    @TempDir
    Path dir;
    AdminHarness h;
    String bootstrapKeyId;
    CreateKeyResponse second;

    @BeforeEach
    void start() throws Exception {
        h = new AdminHarness(dir);
        second = h.admin().createKey(CreateKeyRequest.newBuilder().setName("second admin")
                .setKind(KeyKind.KEY_KIND_ADMIN).setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).build());
        bootstrapKeyId = list(ListAuditRecordsRequest.newBuilder().setAction("CreateKey")).get(0).getActorKeyId();
        h.project("payments");
        h.as(second.getToken()).createProject(CreateProjectRequest.newBuilder().setProjectId("search").build());
        h.as(second.getToken()).disableKey(DisableKeyRequest.newBuilder()
                .setKeyId(h.serviceKey("payments", "batch").getKey().getId()).build());
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private List<AuditRecord> list(ListAuditRecordsRequest.Builder request) {
        return h.admin().listAuditRecords(request.setPageSize(1000).build()).getRecordsList();
    }

    @Test
    void listAuditRecords_actorAndAction_returnOnlyRecordsMatchingBoth() {
        List<AuditRecord> found = list(ListAuditRecordsRequest.newBuilder()
                .setActorKeyId(second.getKey().getId()).setAction("CreateProject"));

        assertEquals(1, found.size());
        assertEquals("project/search", found.get(0).getTarget());
        assertEquals(second.getKey().getId(), found.get(0).getActorKeyId());
    }

    @Test
    void listAuditRecords_actorOnly_returnsThatKeysCallsNewestFirst() {
        List<String> actions = list(ListAuditRecordsRequest.newBuilder().setActorKeyId(second.getKey().getId()))
                .stream().map(AuditRecord::getAction).toList();

        assertEquals(List.of("DisableKey", "CreateProject"), actions);
    }

    @Test
    void listAuditRecords_actionWithTarget_combineWithAnd() {
        List<AuditRecord> found = list(ListAuditRecordsRequest.newBuilder().setAction("CreateProject")
                .setTarget("project/payments"));

        assertEquals(1, found.size());
        assertEquals(bootstrapKeyId, found.get(0).getActorKeyId());
    }

    @Test
    void listAuditRecords_bootstrapActor_findsTheBootstrap() {
        List<AuditRecord> found = list(ListAuditRecordsRequest.newBuilder().setActorKeyId("bootstrap"));

        assertEquals(List.of("Bootstrap"), found.stream().map(AuditRecord::getAction).toList());
    }

    @Test
    void listAuditRecords_unknownAction_isInvalidArgumentNamingIt() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "action: unknown action \"createKey\"; known actions: CreateProject",
                () -> list(ListAuditRecordsRequest.newBuilder().setAction("createKey")));
        assertStatus(Status.Code.INVALID_ARGUMENT, "action: unknown action (200 characters)",
                () -> list(ListAuditRecordsRequest.newBuilder().setAction("\u202e".repeat(200))));
    }

    @Test
    void listAuditRecords_everyKnownAction_isAccepted() {
        for (AuditAction action : AuditAction.values()) {
            list(ListAuditRecordsRequest.newBuilder().setAction(action.recordedName()));
        }
        assertFalse(list(ListAuditRecordsRequest.newBuilder().setAction("RefusedCalls").setActorKeyId(bootstrapKeyId))
                .iterator().hasNext(), "summaries have no actor");
    }

    @Test
    void listAuditRecords_actorNotAKeyId_isInvalidArgumentNamingTheField() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "actor_key_id: not a key id",
                () -> list(ListAuditRecordsRequest.newBuilder().setActorKeyId("alice@example.com")));
    }

    @Test
    void listAuditRecords_pageTokenWithOtherFilters_isInvalidArgumentNamingPageToken() {
        ListAuditRecordsResponse first = h.admin().listAuditRecords(ListAuditRecordsRequest.newBuilder()
                .setActorKeyId(second.getKey().getId()).setPageSize(1).build());

        assertStatus(Status.Code.INVALID_ARGUMENT, "page_token: issued for other filters",
                () -> h.admin().listAuditRecords(ListAuditRecordsRequest.newBuilder().setActorKeyId(bootstrapKeyId)
                        .setPageSize(1).setPageToken(first.getNextPageToken()).build()));
        ListAuditRecordsResponse next = h.admin().listAuditRecords(ListAuditRecordsRequest.newBuilder()
                .setActorKeyId(second.getKey().getId()).setPageSize(1).setPageToken(first.getNextPageToken()).build());
        assertEquals("CreateProject", next.getRecords(0).getAction());
        assertEquals("", next.getNextPageToken());
    }
}
