package dev.keymeter.admin;

import com.google.protobuf.util.Durations;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.lifecycle.Caller;
import dev.keymeter.lifecycle.ControlPlaneRules;
import dev.keymeter.lifecycle.IssuedKey;
import dev.keymeter.lifecycle.KeyChanges;
import dev.keymeter.lifecycle.NewKey;
import dev.keymeter.lifecycle.Projects;
import dev.keymeter.proto.admin.v1.*;
import dev.keymeter.store.KeyFilter;
import dev.keymeter.store.Page;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The admin API. Each method reads and validates its request ({@link RequestReader}), calls the rules
 * in {@code dev.keymeter.lifecycle}, and maps the result ({@link ProtoMapper}) or the refusal
 * ({@link Statuses}). No rule lives here.
 */
final class AdminGrpcService extends AdminServiceGrpc.AdminServiceImplBase {

    private final ControlPlaneRules rules;
    private final Clock clock;

    AdminGrpcService(ControlPlaneRules rules, Clock clock) {
        this.rules = rules;
        this.clock = clock;
    }

    @Override
    public void createProject(CreateProjectRequest req, StreamObserver<CreateProjectResponse> out) {
        answer(out, () -> {
            String id = RequestReader.projectId("project_id", req.getProjectId());
            String display = req.getDisplayName().isEmpty() ? id : RequestReader.name("display_name", req.getDisplayName());
            Projects.Created created = rules.projects().create(caller(), id, display);
            return CreateProjectResponse.newBuilder()
                    .setProject(ProtoMapper.project(created.project()))
                    .setKey(key(created.firstKey().key()))
                    .setToken(created.firstKey().token())
                    .build();
        });
    }

    @Override
    public void getProject(GetProjectRequest req, StreamObserver<Project> out) {
        answer(out, () -> ProtoMapper.project(rules.projects().get(caller(),
                RequestReader.projectId("project_id", req.getProjectId()))));
    }

    @Override
    public void listProjects(ListProjectsRequest req, StreamObserver<ListProjectsResponse> out) {
        answer(out, () -> {
            Page<dev.keymeter.keys.Project> page = rules.projects().list(caller(),
                    RequestReader.pageSize(req.getPageSize()), req.getPageToken());
            ListProjectsResponse.Builder b = ListProjectsResponse.newBuilder().setNextPageToken(page.nextPageToken());
            page.items().forEach(p -> b.addProjects(ProtoMapper.project(p)));
            return b.build();
        });
    }

    @Override
    public void deleteProject(DeleteProjectRequest req, StreamObserver<DeleteProjectResponse> out) {
        answer(out, () -> DeleteProjectResponse.newBuilder()
                .setRevokedKeys(rules.projects().delete(caller(), RequestReader.projectId("project_id", req.getProjectId())))
                .build());
    }

    @Override
    public void addMember(AddMemberRequest req, StreamObserver<Member> out) {
        answer(out, () -> ProtoMapper.member(rules.members().add(caller(), RequestReader.user("user", req.getUser()),
                RequestReader.optionalProjectId("project_id", req.getProjectId()))));
    }

    @Override
    public void removeMember(RemoveMemberRequest req, StreamObserver<RemoveMemberResponse> out) {
        answer(out, () -> RemoveMemberResponse.newBuilder()
                .addAllRevokedKeyIds(rules.members().remove(caller(), RequestReader.storedUser("user", req.getUser()),
                        RequestReader.optionalProjectId("project_id", req.getProjectId())))
                .build());
    }

    @Override
    public void listMembers(ListMembersRequest req, StreamObserver<ListMembersResponse> out) {
        answer(out, () -> {
            ListMembersResponse.Builder b = ListMembersResponse.newBuilder();
            rules.members().list(caller(), RequestReader.optionalProjectId("project_id", req.getProjectId()))
                    .forEach(m -> b.addMembers(ProtoMapper.member(m)));
            return b.build();
        });
    }

    @Override
    public void createKey(CreateKeyRequest req, StreamObserver<CreateKeyResponse> out) {
        answer(out, () -> issued(rules.creation().create(caller(), newKey(req.getName(), req.getKind(),
                req.getProjectId(), req.getOwnerType(), req.getOwnerUser(), req.getPermissions(), req.getLimits(),
                req.hasExpireTime() ? req.getExpireTime() : null))));
    }

    @Override
    public void getKey(GetKeyRequest req, StreamObserver<Key> out) {
        answer(out, () -> key(rules.queries().get(caller(), RequestReader.keyId("key_id", req.getKeyId()))));
    }

    @Override
    public void listKeys(ListKeysRequest req, StreamObserver<ListKeysResponse> out) {
        answer(out, () -> {
            KeyFilter filter = new KeyFilter(
                    RequestReader.optionalProjectId("project_id", req.getProjectId()),
                    RequestReader.kindFilter(req.getKind()),
                    RequestReader.ownerFilter(req.getOwnerType()),
                    RequestReader.statusFilter(req.getStatus()),
                    RequestReader.presetFilter(req.getPermissionPreset()));
            Page<ApiKey> page = rules.queries().list(caller(), filter, RequestReader.pageSize(req.getPageSize()),
                    req.getPageToken());
            ListKeysResponse.Builder b = ListKeysResponse.newBuilder().setNextPageToken(page.nextPageToken());
            java.util.Map<String, java.time.Instant> lastUsed = lastUsed(page.items().stream().map(ApiKey::id).toList());
            page.items().forEach(k -> b.addKeys(ProtoMapper.key(k, clock.instant(), lastUsed.get(k.id()))));
            return b.build();
        });
    }

    @Override
    public void updateKey(UpdateKeyRequest req, StreamObserver<Key> out) {
        answer(out, () -> {
            String keyId = RequestReader.keyId("key_id", req.getKeyId());
            UpdateMask mask = UpdateMask.read(req.getUpdateMask(), req.getKey());
            return key(rules.changes().update(caller(), keyId, mask.fields(), mask::apply));
        });
    }

    @Override
    public void duplicateKey(DuplicateKeyRequest req, StreamObserver<CreateKeyResponse> out) {
        answer(out, () -> issued(rules.creation().duplicate(caller(), RequestReader.keyId("key_id", req.getKeyId()),
                req.getName().isEmpty() ? null : RequestReader.name("name", req.getName()))));
    }

    @Override
    public void rotateKey(RotateKeyRequest req, StreamObserver<CreateKeyResponse> out) {
        answer(out, () -> {
            Duration grace = KeyChanges.DEFAULT_GRACE;
            if (req.hasGracePeriod()) {
                if (!Durations.isValid(req.getGracePeriod())) {
                    throw dev.keymeter.lifecycle.AdminFailure.invalid("grace_period", "not a valid duration");
                }
                grace = Duration.ofSeconds(req.getGracePeriod().getSeconds(), req.getGracePeriod().getNanos());
            }
            return issued(rules.changes().rotate(caller(), RequestReader.keyId("key_id", req.getKeyId()), grace));
        });
    }

    @Override
    public void disableKey(DisableKeyRequest req, StreamObserver<Key> out) {
        answer(out, () -> key(rules.changes().disable(caller(), RequestReader.keyId("key_id", req.getKeyId()))));
    }

    @Override
    public void enableKey(EnableKeyRequest req, StreamObserver<Key> out) {
        answer(out, () -> key(rules.changes().enable(caller(), RequestReader.keyId("key_id", req.getKeyId()))));
    }

    @Override
    public void revokeKey(RevokeKeyRequest req, StreamObserver<Key> out) {
        answer(out, () -> key(rules.changes().revoke(caller(), RequestReader.keyId("key_id", req.getKeyId()))));
    }

    @Override
    public void deleteKey(DeleteKeyRequest req, StreamObserver<DeleteKeyResponse> out) {
        answer(out, () -> {
            rules.changes().delete(caller(), RequestReader.keyId("key_id", req.getKeyId()));
            return DeleteKeyResponse.getDefaultInstance();
        });
    }

    @Override
    public void importLegacyKey(ImportLegacyKeyRequest req, StreamObserver<Key> out) {
        answer(out, () -> {
            String token = LegacyTokens.check(req.getToken());
            NewKey spec = newKey(req.getName(), req.getKind(), req.getProjectId(), req.getOwnerType(),
                    req.getOwnerUser(), req.getPermissions(), req.getLimits(),
                    req.hasExpireTime() ? req.getExpireTime() : null);
            return key(rules.creation().importLegacy(caller(), spec, token));
        });
    }

    @Override
    public void getKeyUsage(GetKeyUsageRequest req, StreamObserver<KeyUsage> out) {
        answer(out, () -> ProtoMapper.usage(rules.queries().usage(caller(), RequestReader.keyId("key_id", req.getKeyId()))));
    }

    @Override
    public void resetKeyUsage(ResetKeyUsageRequest req, StreamObserver<KeyUsage> out) {
        answer(out, () -> ProtoMapper.usage(rules.queries().usageOf(
                rules.changes().resetUsage(caller(), RequestReader.keyId("key_id", req.getKeyId())))));
    }

    @Override
    public void listAuditRecords(ListAuditRecordsRequest req, StreamObserver<ListAuditRecordsResponse> out) {
        answer(out, () -> {
            var page = rules.queries().audit(caller(), AuditFilters.read(req),
                    RequestReader.pageSize(req.getPageSize()), req.getPageToken());
            ListAuditRecordsResponse.Builder b = ListAuditRecordsResponse.newBuilder()
                    .setNextPageToken(page.nextPageToken());
            page.items().forEach(e -> b.addRecords(ProtoMapper.audit(e)));
            return b.build();
        });
    }

    @Override
    public void getReplicationStatus(GetReplicationStatusRequest req, StreamObserver<ReplicationStatus> out) {
        answer(out, () -> ProtoMapper.replication(rules.replication().status(caller())));
    }

    private NewKey newKey(String name, dev.keymeter.proto.admin.v1.KeyKind kindField, String projectField,
            dev.keymeter.proto.admin.v1.OwnerType ownerField, String ownerUserField,
            dev.keymeter.proto.admin.v1.Permissions permissions, dev.keymeter.proto.admin.v1.Limits limits,
            com.google.protobuf.Timestamp expire) {
        KeyKind kind = RequestReader.kind("kind", kindField);
        OwnerType owner = RequestReader.owner("owner_type", ownerField);
        String projectId;
        if (kind == KeyKind.PROJECT) {
            projectId = RequestReader.projectId("project_id", projectField);
        } else if (!projectField.isEmpty()) {
            throw dev.keymeter.lifecycle.AdminFailure.invalid("project_id", "must be empty for admin keys and sidecar credentials");
        } else {
            projectId = null;
        }
        String ownerUser = null;
        if (owner == OwnerType.USER) {
            ownerUser = RequestReader.user("owner_user", ownerUserField);
        } else if (!ownerUserField.isEmpty()) {
            throw dev.keymeter.lifecycle.AdminFailure.invalid("owner_user", "must be empty for service-account keys");
        }
        if (kind == KeyKind.SIDECAR) {
            if (owner != OwnerType.SERVICE_ACCOUNT) {
                throw dev.keymeter.lifecycle.AdminFailure.invalid("owner_type", "sidecar credentials are service accounts");
            }
            // Never replicated, so never checked: permissions and limits would mean nothing.
            return new NewKey(RequestReader.name("name", name), kind, null, owner, null,
                    dev.keymeter.keys.Permissions.READ_ONLY, dev.keymeter.keys.Limits.NONE,
                    expire == null ? null : RequestReader.instant("expire_time", expire));
        }
        return new NewKey(RequestReader.name("name", name), kind, projectId, owner, ownerUser,
                RequestReader.permissions("permissions", permissions), RequestReader.limits("limits", limits),
                expire == null ? null : RequestReader.instant("expire_time", expire));
    }

    private CreateKeyResponse issued(IssuedKey issued) {
        return CreateKeyResponse.newBuilder().setKey(key(issued.key())).setToken(issued.token()).build();
    }

    private Key key(ApiKey k) {
        return ProtoMapper.key(k, clock.instant(), lastUsed(java.util.List.of(k.id())).get(k.id()));
    }

    private java.util.Map<String, java.time.Instant> lastUsed(java.util.List<String> keyIds) {
        return rules.audited().store().read(r -> r.lastUsed(keyIds));
    }

    private static Caller caller() {
        return CallerContext.current();
    }

    private static <T> void answer(StreamObserver<T> out, Supplier<T> work) {
        T result;
        try {
            result = work.get();
        } catch (RuntimeException e) {
            out.onError(Statuses.of(e).asRuntimeException());
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }
}
