package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.AccessLevel;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.ResetPeriod;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Parsing and validation of {@code keys create}: everything decided before a call is made. Each run
 * passes an admin key and an unroutable address, so that a test that wrongly got as far as a call
 * would fail on the exit code rather than reach a real server.
 */
class KeyCreateCommandTest {

    private static final String[] CONNECTION = {"--admin-key", "kma_test", "--addr", "127.0.0.1:1", "--timeout", "1s"};

    @Test
    void create_withoutName_isUsageErrorNamingName() {
        CliRun run = run("--project", "payments");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("--name"), run.err());
    }

    @Test
    void create_malformedAllow_isUsageErrorNamingTheValue() {
        CliRun run = run("--name", "ci", "--project", "p", "--allow", "Chat-Completions:rw");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("Chat-Completions:rw"), run.err());
    }

    @Test
    void create_allowWithUnknownLevel_isUsageErrorNamingTheValue() {
        CliRun run = run("--name", "ci", "--project", "p", "--allow", "datasets=admin");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("datasets=admin"), run.err());
    }

    @Test
    void create_costLimitWithSevenDecimals_isUsageErrorNamingTheValue() {
        CliRun run = run("--name", "ci", "--project", "p", "--cost-limit-usd", "1.2345678");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("--cost-limit-usd"), run.err());
        assertTrue(run.err().contains("1.2345678"), run.err());
    }

    @Test
    void create_negativeCostLimit_isUsageError() {
        CliRun run = run("--name", "ci", "--project", "p", "--cost-limit-usd=-5");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("negative"), run.err());
    }

    @Test
    void create_allowWithPresetAll_isUsageError() {
        CliRun run = run("--name", "ci", "--project", "p", "--permissions", "all", "--allow", "datasets=read");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("--allow needs --permissions restricted"), run.err());
    }

    @Test
    void create_ownerUserWithoutUser_isUsageError() {
        CliRun run = run("--name", "ci", "--project", "p", "--owner", "user");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("--user"), run.err());
    }

    @Test
    void create_unknownKind_isUsageErrorListingTheChoices() {
        CliRun run = run("--name", "ci", "--kind", "org");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("'org' is not one of admin, project"), run.err());
    }

    @Test
    void request_onlyName_hasTheDocumentedDefaults() {
        CreateKeyRequest request = parse("--name", "ci", "--project", "payments").request();

        assertAll(
                () -> assertEquals("ci", request.getName()),
                () -> assertEquals(KeyKind.KEY_KIND_PROJECT, request.getKind()),
                () -> assertEquals("payments", request.getProjectId()),
                () -> assertEquals(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT, request.getOwnerType()),
                () -> assertEquals(PermissionPreset.PERMISSION_PRESET_ALL, request.getPermissions().getPreset()),
                () -> assertFalse(request.getLimits().hasCostLimitMicroUsd()),
                () -> assertFalse(request.getLimits().hasTokenLimit()),
                () -> assertFalse(request.getLimits().hasRequestsPerMinute()),
                () -> assertFalse(request.hasExpireTime()));
    }

    @Test
    void request_allowAlone_isRestrictedWithThoseResources() {
        CreateKeyRequest request = parse("--name", "ci", "--project", "p",
                "--allow", "chat_completions=write", "--allow", "datasets=read").request();

        assertEquals(PermissionPreset.PERMISSION_PRESET_RESTRICTED, request.getPermissions().getPreset());
        assertEquals(Map.of("chat_completions", AccessLevel.ACCESS_LEVEL_WRITE, "datasets", AccessLevel.ACCESS_LEVEL_READ),
                request.getPermissions().getResourcesMap());
    }

    @Test
    void request_limitsAndExpiry_areConvertedExactly() {
        CreateKeyRequest request = parse("--name", "ci", "--kind", "admin", "--owner", "user", "--user", "ana@example.com",
                "--cost-limit-usd", "12.5", "--token-limit", "1000000", "--rpm", "60", "--reset", "monthly",
                "--expires", "2030-01-31").request();

        assertAll(
                () -> assertEquals(KeyKind.KEY_KIND_ADMIN, request.getKind()),
                () -> assertEquals(OwnerType.OWNER_TYPE_USER, request.getOwnerType()),
                () -> assertEquals("ana@example.com", request.getOwnerUser()),
                () -> assertEquals(12_500_000L, request.getLimits().getCostLimitMicroUsd()),
                () -> assertEquals(1_000_000L, request.getLimits().getTokenLimit()),
                () -> assertEquals(60L, request.getLimits().getRequestsPerMinute()),
                () -> assertEquals(ResetPeriod.RESET_PERIOD_MONTHLY, request.getLimits().getResetPeriod()),
                () -> assertEquals(Instant.parse("2030-01-31T00:00:00Z").getEpochSecond(),
                        request.getExpireTime().getSeconds()));
    }

    private static CliRun run(String... args) {
        String[] all = new String[args.length + CONNECTION.length + 1];
        all[0] = "create";
        System.arraycopy(args, 0, all, 1, args.length);
        System.arraycopy(CONNECTION, 0, all, args.length + 1, CONNECTION.length);
        return CliRun.run(new KeysCommand(), all);
    }

    private static KeyCreateCommand parse(String... args) {
        return CliRun.parse(new KeyCreateCommand(), args);
    }
}
