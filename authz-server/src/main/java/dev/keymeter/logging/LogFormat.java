package dev.keymeter.logging;

import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * How log records are written to stderr: {@code text} (one line: time, level, logger, message) or
 * {@code json} (one JSON object per line, for log shippers). Messages are already free of secrets;
 * this only shapes them.
 */
public enum LogFormat {
    TEXT,
    JSON;

    /** Parses the {@code --log-format} value; the message names the setting. */
    public static LogFormat parse(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("--log-format must be text or json, was '" + value + "'");
        };
    }

    /** Installs this format on every handler of the root logger. */
    public void install() {
        Formatter formatter = this == JSON ? new JsonLines() : new TextLines();
        for (Handler h : Logger.getLogger("").getHandlers()) {
            h.setFormatter(formatter);
        }
    }

    /** The JSON form of one record (public for tests). */
    public static String json(LogRecord r) {
        JsonObject line = new JsonObject();
        line.addProperty("time", Instant.ofEpochMilli(r.getMillis()).toString());
        line.addProperty("level", r.getLevel().getName());
        line.addProperty("logger", r.getLoggerName());
        line.addProperty("message", message(r));
        return line.toString();
    }

    private static String message(LogRecord r) {
        String m = new java.util.logging.SimpleFormatter().formatMessage(r);
        return r.getThrown() == null ? m : m + " (" + r.getThrown().getClass().getName() + ")";
    }

    private static final class JsonLines extends Formatter {
        @Override
        public String format(LogRecord r) {
            return json(r) + System.lineSeparator();
        }
    }

    private static final class TextLines extends Formatter {
        @Override
        public String format(LogRecord r) {
            return Instant.ofEpochMilli(r.getMillis()) + " " + r.getLevel().getName() + " " + r.getLoggerName() + " "
                    + message(r) + System.lineSeparator();
        }
    }
}
