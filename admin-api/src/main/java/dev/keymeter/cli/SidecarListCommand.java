package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.ListKeysRequest;
import dev.keymeter.proto.admin.v1.ListKeysResponse;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sidecars list}: the sidecar credentials, newest first. */
@Command(name = "list", description = "List sidecar credentials, newest first.")
final class SidecarListCommand extends AdminCommand {

    @Mixin
    PageOptions pages;

    @Override
    void run(AdminSession session) {
        List<ListKeysResponse> fetched = pages.fetch(token -> session.stub().listKeys(ListKeysRequest.newBuilder()
                .setKind(KeyKind.KEY_KIND_SIDECAR).setPageSize(pages.pageSize).setPageToken(token).build()),
                ListKeysResponse::getNextPageToken);
        ListKeysResponse.Builder merged = ListKeysResponse.newBuilder()
                .setNextPageToken(fetched.get(fetched.size() - 1).getNextPageToken());
        fetched.forEach(page -> merged.addAllKeys(page.getKeysList()));
        print(merged, () -> {
            Table table = Table.withHeaders("ID", "Name", "Status", "Created", "Created by", "Token");
            for (Key k : merged.getKeysList()) {
                table.row(k.getId(), k.getName(), Labels.status(k.getStatus()),
                        Times.formatOr(k.hasCreateTime(), k.getCreateTime(), "-"), k.getCreatedBy(),
                        k.getDisplayToken());
            }
            printListing(table, merged.getKeysCount(), "No sidecar credentials.", merged.getNextPageToken());
        });
    }
}
