package dev.keymeter.console;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the console is configured with.
 *
 * @param sessions how long sessions live
 * @param trustedUserHeader {@code --console-trusted-user-header}: a header an authenticating proxy in
 *     front of the console sets to the signed-in person (e.g. {@code X-Forwarded-Email}); empty: off.
 *     Only safe when every request passes that proxy and it replaces any copy a client sent.
 */
public record ConsoleSettings(SessionLimits sessions, String trustedUserHeader) {

    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9-]{1,64}");

    public static final ConsoleSettings DEFAULTS = new ConsoleSettings(SessionLimits.DEFAULTS, "");

    public ConsoleSettings {
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(trustedUserHeader, "trustedUserHeader");
        if (!trustedUserHeader.isEmpty() && !HEADER_NAME.matcher(trustedUserHeader).matches()) {
            throw new IllegalArgumentException("--console-trusted-user-header must be a header name (letters, digits"
                    + " and '-', at most 64), was '" + trustedUserHeader + "'");
        }
    }

    public ConsoleSettings withTrustedUserHeader(String header) {
        return new ConsoleSettings(sessions, header);
    }

    public boolean trustsUserHeader() {
        return !trustedUserHeader.isEmpty();
    }
}
