package dev.keymeter.admin;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.lifecycle.AdminFailure;
import dev.keymeter.proto.admin.v1.AddMemberRequest;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateProjectRequest;
import dev.keymeter.proto.admin.v1.DuplicateKeyRequest;
import dev.keymeter.proto.admin.v1.ListKeysRequest;
import dev.keymeter.proto.admin.v1.UpdateKeyRequest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Fuzzes the admin request reader ({@link RequestReader}, and {@link UpdateMask} which applies it to
 * an update): any bytes that parse as an admin request message are read field by field, as
 * {@link AdminGrpcService} reads them, into domain values or an {@link AdminFailure} of reason
 * INVALID_ARGUMENT naming the field; any other exception is a finding. Bytes that are not a message
 * at all never reach the reader (gRPC refuses them), so they are skipped.
 *
 * <p>{@code mvn verify} replays the seed inputs under {@code RequestReaderFuzzTestInputs/}; how to
 * fuzz is in docs/fuzzing.md.
 */
class RequestReaderFuzzTest {

    @FuzzTest(maxDuration = "3h", maxExecutions = 1_000_000)
    void read_fuzzedRequest_readsOrRefusesAsInvalidArgument(FuzzedDataProvider data) {
        int which = data.consumeInt(0, 5);
        byte[] bytes = data.consumeRemainingAsBytes();
        try {
            read(which, bytes);
        } catch (InvalidProtocolBufferException notAMessage) {
            // never reaches the reader
        } catch (AdminFailure refused) {
            assertEquals(AdminFailure.Reason.INVALID_ARGUMENT, refused.reason());
            assertNotNull(refused.getMessage());
        }
    }

    private static void read(int which, byte[] bytes) throws InvalidProtocolBufferException {
        switch (which) {
            case 0 -> createKey(CreateKeyRequest.parseFrom(bytes));
            case 1 -> {
                UpdateKeyRequest req = UpdateKeyRequest.parseFrom(bytes);
                RequestReader.keyId("key_id", req.getKeyId());
                UpdateMask.read(req.getUpdateMask(), req.getKey()).fields();
            }
            case 2 -> {
                ListKeysRequest req = ListKeysRequest.parseFrom(bytes);
                RequestReader.optionalProjectId("project_id", req.getProjectId());
                RequestReader.kindFilter(req.getKind());
                RequestReader.ownerFilter(req.getOwnerType());
                RequestReader.statusFilter(req.getStatus());
                RequestReader.presetFilter(req.getPermissionPreset());
                RequestReader.pageSize(req.getPageSize());
            }
            case 3 -> {
                CreateProjectRequest req = CreateProjectRequest.parseFrom(bytes);
                RequestReader.projectId("project_id", req.getProjectId());
                RequestReader.name("display_name", req.getDisplayName());
            }
            case 4 -> {
                AddMemberRequest req = AddMemberRequest.parseFrom(bytes);
                RequestReader.user("user", req.getUser());
                RequestReader.optionalProjectId("project_id", req.getProjectId());
            }
            default -> {
                DuplicateKeyRequest req = DuplicateKeyRequest.parseFrom(bytes);
                RequestReader.keyId("key_id", req.getKeyId());
                RequestReader.name("name", req.getName());
            }
        }
    }

    /** The fields of a CreateKey, in the order {@code AdminGrpcService#newKey} reads them. */
    private static void createKey(CreateKeyRequest req) {
        KeyKind kind = RequestReader.kind("kind", req.getKind());
        OwnerType owner = RequestReader.owner("owner_type", req.getOwnerType());
        if (kind == KeyKind.PROJECT) {
            RequestReader.projectId("project_id", req.getProjectId());
        }
        if (owner == OwnerType.USER) {
            RequestReader.user("owner_user", req.getOwnerUser());
        }
        RequestReader.name("name", req.getName());
        RequestReader.permissions("permissions", req.getPermissions());
        Limits limits = RequestReader.limits("limits", req.getLimits());
        assertNotNull(limits.resetPeriod());
        if (req.hasExpireTime()) {
            RequestReader.instant("expire_time", req.getExpireTime());
        }
    }
}
