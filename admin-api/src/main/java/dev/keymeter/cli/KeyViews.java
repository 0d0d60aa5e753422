package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.proto.admin.v1.Limits;
import java.io.PrintWriter;
import java.util.List;

/**
 * How keys look in table output: the listing (the product's columns plus the id people need for
 * every other command), one key's details, and the once-only token banner.
 */
final class KeyViews {

    static final String TOKEN_ONCE = "Token (shown only once; store it now, it cannot be retrieved again):";

    private KeyViews() {
    }

    /** ID, Created, Name, Type, Status, Permissions, Created by. */
    static Table listing(List<Key> keys) {
        Table table = Table.withHeaders("ID", "Created", "Name", "Type", "Status", "Permissions", "Created by");
        for (Key key : keys) {
            table.row(key.getId(), Times.formatOr(key.hasCreateTime(), key.getCreateTime(), "-"), key.getName(),
                    Labels.owner(key.getOwnerType()), Labels.status(key.getStatus()),
                    Labels.preset(key.getPermissions().getPreset()), key.getCreatedBy());
        }
        return table;
    }

    static void printToken(PrintWriter out, String token) {
        out.println(TOKEN_ONCE);
        out.println(token);
        out.println();
    }

    static void printDetails(PrintWriter out, Key key) {
        Table details = Table.withoutHeaders(2)
                .row("ID", key.getId())
                .row("Name", key.getName())
                .row("Kind", Labels.kind(key.getKind()))
                .row("Project", key.getProjectId().isEmpty() ? "-" : key.getProjectId())
                .row("Type", owner(key))
                .row("Status", Labels.status(key.getStatus()))
                .row("Permissions", Labels.permissions(key.getPermissions()));
        addLimits(details, key.getLimits());
        details.row("Expires", Times.formatOr(key.hasExpireTime(), key.getExpireTime(), "never"))
                .row("Token", key.getDisplayToken());
        if (!key.getPreviousDisplayToken().isEmpty()) {
            details.row("Previous token", key.getPreviousDisplayToken() + " (works until "
                    + Times.formatOr(key.hasPreviousSecretExpireTime(), key.getPreviousSecretExpireTime(), "?")
                    + ")");
        }
        if (key.getLegacy()) {
            details.row("Legacy", "yes (no limits, no restricted permissions)");
        }
        details.row("Created", Times.formatOr(key.hasCreateTime(), key.getCreateTime(), "-")
                        + " by " + key.getCreatedBy())
                .row("Updated", Times.formatOr(key.hasUpdateTime(), key.getUpdateTime(), "-"))
                .row("Last used", Times.formatOr(key.hasLastUsedTime(), key.getLastUsedTime(), "never seen"))
                .print(out);
    }

    private static String owner(Key key) {
        String type = Labels.owner(key.getOwnerType());
        return key.getOwnerUser().isEmpty() ? type : type + " (" + key.getOwnerUser() + ")";
    }

    private static void addLimits(Table details, Limits limits) {
        details.row("Cost limit", limits.hasCostLimitMicroUsd()
                        ? Usd.format(limits.getCostLimitMicroUsd()) + " USD" : "none")
                .row("Token limit", limits.hasTokenLimit() ? Long.toString(limits.getTokenLimit()) : "none")
                .row("Requests/min", limits.hasRequestsPerMinute()
                        ? Long.toString(limits.getRequestsPerMinute()) : "none")
                .row("Reset", Labels.reset(limits.getResetPeriod()));
    }
}
