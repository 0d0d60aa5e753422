package dev.keymeter.cli;

import io.grpc.Status;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The flag behind a refused text field: the server names its field ({@code owner_user: at most 128
 * characters, was 129}), a person typed {@code --user}. Named only when the command that failed has
 * that flag: {@code sidecars create NAME} takes its name as an argument, not as {@code --name}.
 */
final class TextFlags {

    /** Admin API field → the flag that sets it. */
    private static final Map<String, String> FLAGS = Map.of(
            "name", "--name",
            "key.name", "--name",
            "owner_user", "--user",
            "display_name", "--display-name");
    private static final Pattern FIELD = Pattern.compile("^([a-z_.]+):");

    private TextFlags() {
    }

    /** {@code " (--flag)"} for an INVALID_ARGUMENT naming a text field {@code command} has a flag for, else "". */
    static String hint(Status status, CommandSpec command) {
        if (status.getCode() != Status.Code.INVALID_ARGUMENT || status.getDescription() == null) {
            return "";
        }
        Matcher m = FIELD.matcher(status.getDescription());
        String flag = m.find() ? FLAGS.get(m.group(1)) : null;
        return flag != null && command.findOption(flag) != null ? " (" + flag + ")" : "";
    }
}
