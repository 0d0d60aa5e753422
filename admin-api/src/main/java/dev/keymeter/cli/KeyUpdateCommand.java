package dev.keymeter.cli;

import com.google.protobuf.FieldMask;
import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.proto.admin.v1.Limits;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.UpdateKeyRequest;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code keys update KEY_ID}: change name, permissions, expiration, limits or reset period.
 *
 * <p>The request's field mask names exactly the fields given on the command line, and nothing else:
 * an option left out must leave that field alone, and a {@code --no-…} option clears its field by
 * naming it in the mask while leaving it unset in the new values.
 */
@Command(name = "update", description = "Change a key's name, permissions, expiration or limits."
        + " Options not given are left unchanged.")
final class KeyUpdateCommand extends KeyIdCommand {

    @Option(names = "--name", paramLabel = "NAME", description = "New name.")
    String name;

    @Mixin
    PermissionOptions permissions;

    @Mixin
    LimitOptions limits;

    @Option(names = "--expires", paramLabel = "WHEN", converter = Values.Instant.class,
            description = "New expiration: an ISO-8601 instant or a date (00:00 UTC).")
    Instant expires;

    @Option(names = "--no-cost-limit", description = "Remove the cost limit.")
    boolean noCostLimit;

    @Option(names = "--no-token-limit", description = "Remove the token limit.")
    boolean noTokenLimit;

    @Option(names = "--no-rpm", description = "Remove the requests-per-minute limit.")
    boolean noRpm;

    @Option(names = "--no-expiry", description = "Make the key never expire.")
    boolean noExpiry;

    @Override
    void validate() {
        request();
    }

    @Override
    void run(AdminSession session) {
        printKey(session.stub().updateKey(request()));
    }

    /** The request these options ask for; its mask lists exactly the fields given. */
    UpdateKeyRequest request() {
        Key.Builder key = Key.newBuilder();
        FieldMask.Builder mask = FieldMask.newBuilder();
        if (name != null) {
            key.setName(name);
            mask.addPaths("name");
        }
        if (permissions.given()) {
            key.setPermissions(permissions.toProto(PermissionPreset.PERMISSION_PRESET_UNSPECIFIED, spec));
            mask.addPaths("permissions");
        }
        if (changes(mask, expires != null, noExpiry, "--expires", "--no-expiry", "expire_time")) {
            key.setExpireTime(Times.toTimestamp(expires));
        }
        key.setLimits(limitChanges(mask));
        if (mask.getPathsCount() == 0) {
            throw usage("nothing to update: pass --name, --permissions, --allow, --expires, --cost-limit-usd,"
                    + " --token-limit, --rpm, --reset or one of the --no-… options");
        }
        return UpdateKeyRequest.newBuilder().setKeyId(keyId).setKey(key).setUpdateMask(mask).build();
    }

    private Limits limitChanges(FieldMask.Builder mask) {
        Limits given = limits.toProto();
        Limits.Builder changed = Limits.newBuilder();
        if (changes(mask, given.hasCostLimitMicroUsd(), noCostLimit,
                "--cost-limit-usd", "--no-cost-limit", "limits.cost_limit_micro_usd")) {
            changed.setCostLimitMicroUsd(given.getCostLimitMicroUsd());
        }
        if (changes(mask, given.hasTokenLimit(), noTokenLimit,
                "--token-limit", "--no-token-limit", "limits.token_limit")) {
            changed.setTokenLimit(given.getTokenLimit());
        }
        if (changes(mask, given.hasRequestsPerMinute(), noRpm, "--rpm", "--no-rpm", "limits.requests_per_minute")) {
            changed.setRequestsPerMinute(given.getRequestsPerMinute());
        }
        if (limits.resetPeriod != null) {
            changed.setResetPeriod(limits.resetPeriod);
            mask.addPaths("limits.reset_period");
        }
        return changed.build();
    }

    /** Adds {@code path} when the field is set or cleared; true when it is set. */
    private boolean changes(FieldMask.Builder mask, boolean set, boolean clear,
            String setOption, String clearOption, String path) {
        if (set && clear) {
            throw usage(setOption + " and " + clearOption + " cannot be combined");
        }
        if (set || clear) {
            mask.addPaths(path);
        }
        return set;
    }
}
