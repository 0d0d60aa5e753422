package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.ResetPeriod;
import dev.keymeter.proto.admin.v1.UpdateKeyRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

class KeyUpdateCommandTest {

    @Test
    void request_nameOnly_masksOnlyName() {
        UpdateKeyRequest request = request("key_1", "--name", "renamed");

        assertEquals("key_1", request.getKeyId());
        assertEquals(List.of("name"), request.getUpdateMask().getPathsList());
        assertEquals("renamed", request.getKey().getName());
    }

    @Test
    void request_everySetter_masksEachFieldOnce() {
        UpdateKeyRequest request = request("key_1", "--name", "n", "--permissions", "read-only",
                "--expires", "2030-01-01T00:00:00Z", "--cost-limit-usd", "0.000001", "--token-limit", "5",
                "--rpm", "7", "--reset", "weekly");

        assertEquals(List.of("name", "permissions", "expire_time", "limits.cost_limit_micro_usd",
                "limits.token_limit", "limits.requests_per_minute", "limits.reset_period"),
                request.getUpdateMask().getPathsList());
        assertEquals(PermissionPreset.PERMISSION_PRESET_READ_ONLY, request.getKey().getPermissions().getPreset());
        assertEquals(1L, request.getKey().getLimits().getCostLimitMicroUsd());
        assertEquals(5L, request.getKey().getLimits().getTokenLimit());
        assertEquals(7L, request.getKey().getLimits().getRequestsPerMinute());
        assertEquals(ResetPeriod.RESET_PERIOD_WEEKLY, request.getKey().getLimits().getResetPeriod());
    }

    @Test
    void request_clearOptions_maskTheFieldsAndLeaveThemUnset() {
        UpdateKeyRequest request = request("key_1", "--no-cost-limit", "--no-token-limit", "--no-rpm", "--no-expiry");

        assertEquals(List.of("expire_time", "limits.cost_limit_micro_usd", "limits.token_limit",
                "limits.requests_per_minute"), request.getUpdateMask().getPathsList());
        assertFalse(request.getKey().hasExpireTime());
        assertFalse(request.getKey().getLimits().hasCostLimitMicroUsd());
        assertFalse(request.getKey().getLimits().hasTokenLimit());
        assertFalse(request.getKey().getLimits().hasRequestsPerMinute());
    }

    @Test
    void request_allowOnly_masksPermissionsAsRestricted() {
        UpdateKeyRequest request = request("key_1", "--allow", "embeddings=read");

        assertEquals(List.of("permissions"), request.getUpdateMask().getPathsList());
        assertEquals(PermissionPreset.PERMISSION_PRESET_RESTRICTED, request.getKey().getPermissions().getPreset());
    }

    @Test
    void request_setAndClearSameLimit_isRefused() {
        ParameterException refused = assertThrows(ParameterException.class,
                () -> request("key_1", "--rpm", "10", "--no-rpm"));

        assertTrue(refused.getMessage().contains("--rpm and --no-rpm"), refused.getMessage());
    }

    @Test
    void update_noFields_isUsageErrorSayingNothingToUpdate() {
        CliRun run = CliRun.run(new KeysCommand(), "update", "key_1", "--admin-key", "kma_test", "--addr", "127.0.0.1:1");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("nothing to update"), run.err());
    }

    private static UpdateKeyRequest request(String... args) {
        return CliRun.parse(new KeyUpdateCommand(), args).request();
    }
}
