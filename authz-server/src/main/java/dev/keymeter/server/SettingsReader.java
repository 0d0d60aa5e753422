package dev.keymeter.server;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Validates the flags into {@link Settings}; a bad value is a usage error (exit 2) naming the flag. */
final class SettingsReader {
    private SettingsReader() {
    }

    static Settings read(ProcessOptions options, CommandSpec spec) {
        try {
            return options.settings();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid setting: " + e.getMessage());
        }
    }
}
