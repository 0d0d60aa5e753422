package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.OwnerType;
import java.time.Instant;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * What a new key is, fixed at creation: name, kind, project, owner, expiration. Shared by
 * {@code keys create} and {@code keys import-legacy}.
 */
final class KeySettingsOptions {

    @Option(names = "--name", required = true, paramLabel = "NAME",
            description = "Key name, unique within its project.")
    String name;

    @Option(names = "--kind", paramLabel = "admin|project", defaultValue = "project",
            converter = Choices.Kind.class,
            description = "admin: every project; project: one project (default: ${DEFAULT-VALUE}).")
    KeyKind kind;

    @Option(names = "--project", paramLabel = "ID", description = "The project of a project key.")
    String project = "";

    @Option(names = "--owner", paramLabel = "user|service-account", defaultValue = "service-account",
            converter = Choices.Owner.class,
            description = "Who owns the key (default: ${DEFAULT-VALUE}). User keys need --user.")
    OwnerType owner;

    @Option(names = "--user", paramLabel = "USER", description = "The owning user, for --owner user.")
    String user = "";

    @Option(names = "--expires", paramLabel = "WHEN", converter = Values.Instant.class,
            description = "Expiration: an ISO-8601 instant (2025-12-31T23:59:59Z)"
                    + " or a date (2025-12-31 = 00:00 UTC). Default: never.")
    Instant expires;

    /**
     * Refuses owner combinations that cannot be meant: the server would refuse them too, but later
     * and less plainly.
     */
    void validate(CommandSpec spec) {
        boolean userKey = owner == OwnerType.OWNER_TYPE_USER;
        if (userKey && user.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--owner user needs --user USER");
        }
        if (!userKey && !user.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--user applies only to --owner user");
        }
    }
}
