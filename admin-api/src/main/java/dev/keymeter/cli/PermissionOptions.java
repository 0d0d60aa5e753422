package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --permissions} and the repeatable {@code --allow RESOURCE=LEVEL}, shared by create, update
 * and import-legacy. {@code --allow} implies {@code restricted}, so {@code --allow datasets=read}
 * alone is enough; combining it with {@code all} or {@code read-only} is refused rather than
 * silently ignored.
 */
final class PermissionOptions {

    @Option(names = "--permissions", paramLabel = "all|read-only|restricted", converter = Choices.Preset.class,
            description = "Permission preset (default on create: all; restricted when --allow is given).")
    PermissionPreset preset;

    @Option(names = "--allow", paramLabel = "RESOURCE=LEVEL", converter = Values.Allow.class,
            description = "Per-resource access, repeatable: e.g. --allow chat_completions=write"
                    + " --allow datasets=read. LEVEL is none, read or write. Implies restricted.")
    List<ResourceAccess> allow = new ArrayList<>();

    /** Whether either option was given. */
    boolean given() {
        return preset != null || !allow.isEmpty();
    }

    /** The permissions asked for; {@code fallback} when neither option was given. */
    Permissions toProto(PermissionPreset fallback, CommandSpec spec) {
        PermissionPreset chosen = chosenPreset(fallback, spec);
        Permissions.Builder permissions = Permissions.newBuilder().setPreset(chosen);
        for (ResourceAccess access : allow) {
            if (permissions.containsResources(access.resource())) {
                throw new ParameterException(spec.commandLine(),
                        "--allow names '" + access.resource() + "' more than once");
            }
            permissions.putResources(access.resource(), access.level());
        }
        return permissions.build();
    }

    private PermissionPreset chosenPreset(PermissionPreset fallback, CommandSpec spec) {
        if (allow.isEmpty()) {
            return preset == null ? fallback : preset;
        }
        if (preset != null && preset != PermissionPreset.PERMISSION_PRESET_RESTRICTED) {
            throw new ParameterException(spec.commandLine(), "--allow needs --permissions restricted"
                    + " (or no --permissions), not " + Labels.preset(preset));
        }
        return PermissionPreset.PERMISSION_PRESET_RESTRICTED;
    }
}
