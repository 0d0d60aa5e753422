package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.proto.admin.v1.ListKeysRequest;
import dev.keymeter.proto.admin.v1.ListKeysResponse;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keys list}: keys, newest first, with filters and paging. */
@Command(name = "list", description = "List keys, newest first.")
final class KeyListCommand extends AdminCommand {

    @Option(names = "--project", paramLabel = "ID", description = "Only keys of this project.")
    String project = "";

    @Option(names = "--kind", paramLabel = "admin|project", converter = Choices.Kind.class,
            description = "Only keys of this kind.")
    KeyKind kind = KeyKind.KEY_KIND_UNSPECIFIED;

    @Option(names = "--owner", paramLabel = "user|service-account", converter = Choices.Owner.class,
            description = "Only user keys or only service-account keys.")
    OwnerType owner = OwnerType.OWNER_TYPE_UNSPECIFIED;

    @Option(names = "--status", paramLabel = "active|disabled|revoked", converter = Choices.Status.class,
            description = "Only keys in this status.")
    KeyStatus status = KeyStatus.KEY_STATUS_UNSPECIFIED;

    @Option(names = "--permissions", paramLabel = "all|read-only|restricted", converter = Choices.Preset.class,
            description = "Only keys with this permission preset.")
    PermissionPreset permissions = PermissionPreset.PERMISSION_PRESET_UNSPECIFIED;

    @Mixin
    PageOptions pages;

    @Override
    void run(AdminSession session) {
        List<ListKeysResponse> fetched = pages.fetch(
                token -> session.stub().listKeys(request(token)), ListKeysResponse::getNextPageToken);
        ListKeysResponse.Builder merged = ListKeysResponse.newBuilder()
                .setNextPageToken(fetched.get(fetched.size() - 1).getNextPageToken());
        fetched.forEach(page -> merged.addAllKeys(page.getKeysList()));
        print(merged, () -> printListing(KeyViews.listing(merged.getKeysList()), merged.getKeysCount(),
                "No keys.", merged.getNextPageToken()));
    }

    /** The request for one page. */
    ListKeysRequest request(String pageToken) {
        return ListKeysRequest.newBuilder()
                .setProjectId(project)
                .setKind(kind)
                .setOwnerType(owner)
                .setStatus(status)
                .setPermissionPreset(permissions)
                .setPageSize(pages.pageSize)
                .setPageToken(pageToken)
                .build();
    }
}
