package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.AccessLevel;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.ResetPeriod;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The words of every closed-set option, and the picocli converters that apply them. A converter
 * failure becomes a usage error (exit 2) whose message names the option and the bad value.
 */
final class Choices {

    static final Choice<KeyKind> KIND = Choice.of("admin", KeyKind.KEY_KIND_ADMIN)
            .or("project", KeyKind.KEY_KIND_PROJECT);
    static final Choice<OwnerType> OWNER = Choice.of("user", OwnerType.OWNER_TYPE_USER)
            .or("service-account", OwnerType.OWNER_TYPE_SERVICE_ACCOUNT);
    static final Choice<KeyStatus> STATUS = Choice.of("active", KeyStatus.KEY_STATUS_ACTIVE)
            .or("disabled", KeyStatus.KEY_STATUS_DISABLED)
            .or("revoked", KeyStatus.KEY_STATUS_REVOKED);
    static final Choice<PermissionPreset> PRESET = Choice.of("all", PermissionPreset.PERMISSION_PRESET_ALL)
            .or("read-only", PermissionPreset.PERMISSION_PRESET_READ_ONLY)
            .or("restricted", PermissionPreset.PERMISSION_PRESET_RESTRICTED);
    static final Choice<AccessLevel> ACCESS = Choice.of("none", AccessLevel.ACCESS_LEVEL_NONE)
            .or("read", AccessLevel.ACCESS_LEVEL_READ)
            .or("write", AccessLevel.ACCESS_LEVEL_WRITE);
    static final Choice<ResetPeriod> RESET = Choice.of("never", ResetPeriod.RESET_PERIOD_NEVER)
            .or("daily", ResetPeriod.RESET_PERIOD_DAILY)
            .or("weekly", ResetPeriod.RESET_PERIOD_WEEKLY)
            .or("monthly", ResetPeriod.RESET_PERIOD_MONTHLY);
    static final Choice<OutputFormat> OUTPUT = Choice.of("table", OutputFormat.TABLE)
            .or("json", OutputFormat.JSON);

    private Choices() {
    }

    static <E> E convert(Choice<E> choice, String word) {
        try {
            return choice.parse(word);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** {@code admin|project}. */
    static final class Kind implements ITypeConverter<KeyKind> {
        @Override
        public KeyKind convert(String word) {
            return Choices.convert(KIND, word);
        }
    }

    /** {@code user|service-account}. */
    static final class Owner implements ITypeConverter<OwnerType> {
        @Override
        public OwnerType convert(String word) {
            return Choices.convert(OWNER, word);
        }
    }

    /** {@code active|disabled|revoked}. */
    static final class Status implements ITypeConverter<KeyStatus> {
        @Override
        public KeyStatus convert(String word) {
            return Choices.convert(STATUS, word);
        }
    }

    /** {@code all|read-only|restricted}. */
    static final class Preset implements ITypeConverter<PermissionPreset> {
        @Override
        public PermissionPreset convert(String word) {
            return Choices.convert(PRESET, word);
        }
    }

    /** {@code never|daily|weekly|monthly}. */
    static final class Reset implements ITypeConverter<ResetPeriod> {
        @Override
        public ResetPeriod convert(String word) {
            return Choices.convert(RESET, word);
        }
    }

    /** {@code table|json}. */
    static final class Output implements ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String word) {
            return Choices.convert(OUTPUT, word);
        }
    }
}
