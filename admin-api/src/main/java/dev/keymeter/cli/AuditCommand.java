package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.AuditRecord;
import dev.keymeter.proto.admin.v1.ListAuditRecordsRequest;
import dev.keymeter.proto.admin.v1.ListAuditRecordsResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keymeter audit …}: the record of every mutation, accepted or refused. */
@Command(name = "audit", synopsisSubcommandLabel = "COMMAND", description = "Read the audit log.",
        subcommands = AuditCommand.ListRecords.class)
public final class AuditCommand extends CommandGroup {

    /** {@code audit list}: newest first. */
    @Command(name = "list", description = "List audit records, newest first.")
    static final class ListRecords extends AdminCommand {
        @Option(names = "--target", paramLabel = "TARGET",
                description = "Only records about this target, e.g. key/key_01… or project/payments.")
        String target = "";

        @Option(names = "--actor", paramLabel = "KEY_ID",
                description = "Only records of calls made with this key id (or bootstrap, recovery).")
        String actor = "";

        @Option(names = "--action", paramLabel = "ACTION",
                description = "Only records of this action, as shown in the Action column, e.g. CreateKey.")
        String action = "";

        @Mixin
        PageOptions pages;

        @Override
        void run(AdminSession session) {
            List<ListAuditRecordsResponse> fetched = pages.fetch(token -> session.stub().listAuditRecords(
                    ListAuditRecordsRequest.newBuilder().setTarget(target)
                            .setActorKeyId(actor).setAction(action)
                            .setPageSize(pages.pageSize).setPageToken(token).build()),
                    ListAuditRecordsResponse::getNextPageToken);
            ListAuditRecordsResponse.Builder merged = ListAuditRecordsResponse.newBuilder()
                    .setNextPageToken(fetched.get(fetched.size() - 1).getNextPageToken());
            fetched.forEach(page -> merged.addAllRecords(page.getRecordsList()));
            print(merged, () -> printListing(table(merged.getRecordsList()), merged.getRecordsCount(),
                    "No audit records.", merged.getNextPageToken()));
        }
    }

    /** Time, Actor, Action, Target, Outcome, Changes. */
    static Table table(List<AuditRecord> records) {
        Table table = Table.withHeaders("Time", "Actor", "Action", "Target", "Outcome", "Changes");
        records.forEach(r -> table.row(Times.formatOr(r.hasTime(), r.getTime(), "-"),
                r.getActorKeyId().isEmpty() ? "(unauthenticated)" : r.getActorKeyId(),
                r.getAction(), r.getTarget(), r.getOutcome(), changes(r.getChangesMap())));
        return table;
    }

    /** "name=new, status=revoked", sorted by field. */
    static String changes(Map<String, String> changes) {
        return new TreeMap<>(changes).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
