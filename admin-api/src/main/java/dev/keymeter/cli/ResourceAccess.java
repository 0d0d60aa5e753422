package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.AccessLevel;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code --allow RESOURCE=LEVEL} value, e.g. {@code chat_completions=write}.
 *
 * <p>Only the shape is checked here (a snake_case name, a known level). Whether the resource exists
 * is the server's call: the catalog lives there, and a client that copied it would drift.
 *
 * @param resource the snake_case resource name
 * @param level    the access granted
 */
record ResourceAccess(String resource, AccessLevel level) {

    private static final Pattern SHAPE = Pattern.compile("([a-z][a-z0-9_]*)=([A-Za-z]+)");

    static ResourceAccess parse(String value) {
        Matcher matcher = SHAPE.matcher(value.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + value + "' is not RESOURCE=none|read|write"
                    + " with a snake_case resource name, e.g. chat_completions=write");
        }
        try {
            return new ResourceAccess(matcher.group(1), Choices.ACCESS.parse(matcher.group(2)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + value + "': level " + e.getMessage());
        }
    }
}
