package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code keys create}: a new key, whose token is printed this once. */
@Command(name = "create", description = "Create a key. Its token is printed once: store it.")
final class KeyCreateCommand extends AdminCommand {

    @Mixin
    KeySettingsOptions settings;

    @Mixin
    PermissionOptions permissions;

    @Mixin
    LimitOptions limits;

    @Override
    void validate() {
        request();
    }

    @Override
    void run(AdminSession session) {
        CreateKeyResponse created = session.stub().createKey(request());
        print(created, () -> {
            KeyViews.printToken(out(), created.getToken());
            KeyViews.printDetails(out(), created.getKey());
        });
    }

    /** The request these options ask for; a refused combination is a usage error. */
    CreateKeyRequest request() {
        settings.validate(spec);
        CreateKeyRequest.Builder request = CreateKeyRequest.newBuilder()
                .setName(settings.name)
                .setKind(settings.kind)
                .setProjectId(settings.project)
                .setOwnerType(settings.owner)
                .setOwnerUser(settings.user)
                .setPermissions(permissions.toProto(PermissionPreset.PERMISSION_PRESET_ALL, spec))
                .setLimits(limits.toProto());
        if (settings.expires != null) {
            request.setExpireTime(Times.toTimestamp(settings.expires));
        }
        return request.build();
    }
}
