package dev.keymeter.cli;

import io.grpc.Status;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The admin API's refusals as a person at the CLI reads them: the server names its proto fields
 * ({@code project_id: required}) and ISO-8601 durations ({@code PT192H}); the user typed flags
 * ({@code --project}) and durations like {@code 8d}. A field is replaced by its flag only when the
 * command that failed has that flag ({@code sidecars create NAME} takes its name as an argument, so
 * {@code name:} stays). And when {@code --addr} points at a port that is not the
 * admin API, the answer says which port it probably is.
 */
final class ServerMessages {

    /** Admin API field (with an optional {@code key.} prefix) → the flag that sets it. */
    private static final Map<String, String> FLAGS = Map.ofEntries(
            Map.entry("project_id", "--project"),
            Map.entry("expire_time", "--expires"),
            Map.entry("grace_period", "--grace"),
            Map.entry("owner_user", "--user"),
            Map.entry("owner_type", "--owner"),
            Map.entry("name", "--name"),
            Map.entry("display_name", "--display-name"),
            Map.entry("page_size", "--page-size"),
            Map.entry("page_token", "--page-token"),
            Map.entry("actor_key_id", "--actor"),
            Map.entry("action", "--action"),
            Map.entry("limits.cost_limit_micro_usd", "--cost-limit-usd"),
            Map.entry("limits.token_limit", "--token-limit"),
            Map.entry("limits.requests_per_minute", "--rpm"));
    private static final Pattern LEADING_FIELD = Pattern.compile("^(?:key\\.)?((?:limits\\.)?[a-z_]+): ");
    private static final Pattern ISO_DURATION = Pattern.compile("\\bP(?:\\d+D)?T[0-9HMS.]+\\b|\\bP\\d+D\\b");

    private ServerMessages() {
    }

    /**
     * A refusal's description with its field as the flag that sets it (when {@code command}, if
     * given, has that flag) and readable durations.
     */
    static String translate(String description, CommandSpec command) {
        Matcher m = LEADING_FIELD.matcher(description);
        String out = description;
        String flag = m.find() ? FLAGS.get(m.group(1)) : null;
        if (flag != null && (command == null || command.findOption(flag) != null)) {
            out = flag + ": " + description.substring(m.end());
        }
        Matcher d = ISO_DURATION.matcher(out);
        StringBuilder b = new StringBuilder();
        while (d.find()) {
            d.appendReplacement(b, Matcher.quoteReplacement(readable(d.group())));
        }
        d.appendTail(b);
        return b.toString();
    }

    /** {@code PT192H} → {@code 8d}, {@code PT1H30M} → {@code 1h30m}: the form --grace takes. */
    static String readable(String iso) {
        Duration duration;
        try {
            duration = Duration.parse(iso);
        } catch (DateTimeParseException e) {
            return iso;
        }
        long s = duration.getSeconds();
        StringBuilder b = new StringBuilder();
        long[] units = {86_400, 3_600, 60, 1};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (s >= units[i]) {
                b.append(s / units[i]).append(names[i]);
                s %= units[i];
            }
        }
        return b.length() == 0 ? "0s" : b.toString();
    }

    /**
     * A hint when the server at {@code address} is not the admin API: the sidecar's ext_authz port
     * answers UNIMPLEMENTED for the admin methods; an HTTP/1.1 server such as the metrics port breaks
     * the HTTP/2 handshake (INTERNAL). Empty otherwise.
     */
    static String wrongPortHint(Status status, String address) {
        String description = status.getDescription() == null ? "" : status.getDescription();
        String admin = "; the admin API listens on port " + AdminAddress.DEFAULT_PORT + " unless configured otherwise"
                + " (--addr HOST:PORT)";
        if (status.getCode() == Status.Code.UNIMPLEMENTED && description.contains("keymeter.admin.v1")) {
            return " — " + address + " is not the admin API: this looks like the sidecar's ext_authz port (default "
                    + AdminAddress.SIDECAR_PORT + ")" + admin;
        }
        if (status.getCode() == Status.Code.INTERNAL && description.toLowerCase(java.util.Locale.ROOT).contains("http2")) {
            return " — " + address + " does not speak gRPC: this looks like an HTTP/1.1 port such as the sidecar's "
                    + "metrics port (default " + AdminAddress.METRICS_PORT + ")" + admin;
        }
        return "";
    }
}
