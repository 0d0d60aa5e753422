package dev.keymeter.admin;

import static dev.keymeter.admin.AdminHarness.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.*;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every mutation, accepted or refused, leaves one audit record; no secret reaches the audit log, the
 * logs or the database file; the bootstrap key is issued once.
 */
class AuditAndSecretsTest {

    @TempDir
    Path dir;
    AdminHarness h;
    final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    Handler handler;

    @BeforeEach
    void start() throws Exception {
        handler = new StreamHandler(logs, new SimpleFormatter()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        Logger.getLogger("").addHandler(handler);
        h = new AdminHarness(dir);
    }

    @AfterEach
    void stop() {
        h.close();
        Logger.getLogger("").removeHandler(handler);
    }

    private List<AuditRecord> audit() {
        return h.admin().listAuditRecords(ListAuditRecordsRequest.newBuilder().setPageSize(1000).build()).getRecordsList();
    }

    @Test
    void mutations_acceptedAndRefused_eachWriteOneAuditRecord() {
        CreateProjectResponse p = h.project("payments");
        String keyId = p.getKey().getId();
        h.admin().disableKey(DisableKeyRequest.newBuilder().setKeyId(keyId).build());
        h.admin().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(keyId).build());
        assertStatus(Status.Code.FAILED_PRECONDITION, "",
                () -> h.admin().enableKey(EnableKeyRequest.newBuilder().setKeyId(keyId).build()));
        assertStatus(Status.Code.UNAUTHENTICATED, "",
                () -> h.anonymous().revokeKey(RevokeKeyRequest.newBuilder().setKeyId(keyId).build()));

        List<AuditRecord> records = audit();
        List<String> lines = new ArrayList<>();
        records.forEach(r -> lines.add(r.getAction() + " " + r.getOutcome()));
        assertEquals(List.of("RefusedCalls UNAUTHENTICATED", "EnableKey FAILED_PRECONDITION", "RevokeKey OK",
                "DisableKey OK", "CreateProject OK", "Bootstrap OK"), lines);
        AuditRecord revoke = records.get(2);
        assertEquals("key/" + keyId, revoke.getTarget());
        assertEquals("REVOKED", revoke.getChangesOrThrow("status"));
        assertTrue(revoke.getRevision() > 0);
        assertEquals("", records.get(0).getActorKeyId());
        assertEquals(0, records.get(1).getRevision());
        assertFalse(records.get(1).getActorKeyId().isEmpty());
        assertEquals(1, h.admin().listAuditRecords(ListAuditRecordsRequest.newBuilder()
                .setTarget("project/payments").build()).getRecordsCount());
    }

    @Test
    void secrets_neverAppearInAuditLogsOrDatabase() throws Exception {
        List<String> secrets = new ArrayList<>();
        secrets.add(h.adminToken);
        CreateProjectResponse p = h.project("payments");
        secrets.add(p.getToken());
        CreateKeyResponse k = h.serviceKey("payments", "svc");
        secrets.add(k.getToken());
        secrets.add(h.admin().rotateKey(RotateKeyRequest.newBuilder().setKeyId(k.getKey().getId()).build()).getToken());
        secrets.add(h.admin().duplicateKey(DuplicateKeyRequest.newBuilder().setKeyId(k.getKey().getId()).build()).getToken());
        String legacy = "legacy-secret-0123456789";
        secrets.add(legacy);
        h.admin().importLegacyKey(ImportLegacyKeyRequest.newBuilder().setToken(legacy).setName("old")
                .setKind(KeyKind.KEY_KIND_PROJECT).setProjectId("payments")
                .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).build());
        assertStatus(Status.Code.UNAUTHENTICATED, "",
                () -> h.as("kms_NotARealTokenButShapedLikeOne0000000").listKeys(ListKeysRequest.getDefaultInstance()));
        String auditText = String.join("\n", h.controlPlane.store().read(r -> r.listAudit(dev.keymeter.store.AuditFilter.ALL, 1000, ""))
                .items().stream().map(Object::toString).toList());
        h.close();

        String logText = logs.toString(StandardCharsets.UTF_8);
        StringBuilder files = new StringBuilder();
        try (var paths = Files.walk(dir)) {
            for (Path f : paths.filter(Files::isRegularFile).filter(f -> !f.endsWith("bootstrap-admin-key")).toList()) {
                files.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        assertTrue(logText.contains("action=RotateKey"), "the log holds the mutation lines");
        for (String secret : secrets) {
            String head = secret.substring(0, 12);
            assertFalse(auditText.contains(head), "audit holds a secret");
            assertFalse(logText.contains(head), "log holds a secret");
            assertFalse(files.toString().contains(head), "a data file holds a secret");
        }
        h.start();
    }

    @Test
    void bootstrap_issuesTheFirstAdminKeyOnce_inA0600File() throws Exception {
        Path file = dir.resolve("bootstrap-admin-key");
        assertEquals(h.adminToken, Files.readString(file).strip());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        h.restart();
        assertTrue(h.controlPlane.bootstrapKey().isEmpty(), "a second start issues no bootstrap key");
        assertEquals(1, audit().stream().filter(r -> r.getAction().equals("Bootstrap")).count(),
                "a restart writes no second Bootstrap record");
        assertEquals(1, h.admin().listKeys(ListKeysRequest.newBuilder().setKind(KeyKind.KEY_KIND_ADMIN).build())
                .getKeysCount());
    }
}
