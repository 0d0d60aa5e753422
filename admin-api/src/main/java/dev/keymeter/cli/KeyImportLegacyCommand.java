package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.ImportLegacyKeyRequest;
import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code keys import-legacy}: register an existing token (any format) so that it keeps working.
 *
 * <p>The token is read from stdin or a file, never from an argument: arguments end up in shell
 * history and in the process list. Legacy keys support no limits, so the limit options of
 * {@code keys create} are not offered here.
 */
@Command(name = "import-legacy", description = "Import an existing token as a legacy key"
        + " (no limits, no restricted permissions).")
final class KeyImportLegacyCommand extends AdminCommand {

    /** Where the token comes from: exactly one of the two. */
    static final class TokenSource {
        @Option(names = "--token-stdin", required = true, description = "Read the token from stdin.")
        boolean stdin;

        @Option(names = "--token-file", required = true, paramLabel = "PATH", description = "Read the token from a file.")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    TokenSource source;

    @Mixin
    KeySettingsOptions settings;

    @Mixin
    PermissionOptions permissions;

    /** Stdin, replaceable so that a test can feed a token without touching {@code System.in}. */
    InputStream stdin = System.in;

    @Override
    void validate() {
        settings.validate(spec);
    }

    @Override
    void run(AdminSession session) {
        Key imported = session.stub().importLegacyKey(request(readToken()));
        print(imported, () -> KeyViews.printDetails(out(), imported));
    }

    ImportLegacyKeyRequest request(String token) {
        ImportLegacyKeyRequest.Builder request = ImportLegacyKeyRequest.newBuilder()
                .setToken(token)
                .setName(settings.name)
                .setKind(settings.kind)
                .setProjectId(settings.project)
                .setOwnerType(settings.owner)
                .setOwnerUser(settings.user)
                .setPermissions(permissions.toProto(PermissionPreset.PERMISSION_PRESET_ALL, spec));
        if (settings.expires != null) {
            request.setExpireTime(Times.toTimestamp(settings.expires));
        }
        return request.build();
    }

    /** The token, without the line end that {@code echo} or an editor adds. */
    String readToken() {
        String token = stripLineEnd(read());
        if (token.isEmpty()) {
            throw usage(source.stdin ? "no token on stdin" : "no token in " + source.file);
        }
        return token;
    }

    private String read() {
        try {
            byte[] bytes = source.stdin ? stdin.readAllBytes() : Files.readAllBytes(source.file);
            return new String(bytes, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            String from = source.stdin ? "stdin" : source.file.toString();
            throw new UncheckedIOException("cannot read the token from " + from + ": " + e.getMessage(), e);
        }
    }

    private static String stripLineEnd(String text) {
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(0, end);
    }
}
