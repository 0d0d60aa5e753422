package dev.keymeter.cli;

import dev.keymeter.tls.ClientTls;
import dev.keymeter.tls.ClientTlsFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where the admin API is and how to call it: a picocli mixin shared by every client command.
 *
 * <p>The admin key defaults to {@code $KEYMETER_ADMIN_KEY} so that it need not appear on the command
 * line (the process list and shell history keep command lines). It is never printed: the option
 * hides its default in help, and {@link CliErrors} scrubs it from any message.
 */
public final class ConnectionOptions {

    static final String NO_ADMIN_KEY = "no admin key: pass --admin-key or set KEYMETER_ADMIN_KEY";

    @Option(names = "--addr", paramLabel = "HOST[:PORT]",
            defaultValue = "${env:KEYMETER_ADDR:-127.0.0.1:9190}",
            description = "Admin API address (default: $KEYMETER_ADDR, else 127.0.0.1:9190; port 9190 when omitted).")
    String address;

    @Option(names = "--admin-key", paramLabel = "KEY", defaultValue = "${env:KEYMETER_ADMIN_KEY}",
            showDefaultValue = Visibility.NEVER,
            description = "Admin key (default: $KEYMETER_ADMIN_KEY, which keeps it out of shell history).")
    String adminKey;

    @Option(names = "--tls", defaultValue = "${env:KEYMETER_TLS:-false}",
            description = "Speak TLS, trusting the JDK's CAs (env KEYMETER_TLS; implied by --ca-file and --client-cert).")
    boolean tls;

    @Option(names = "--ca-file", paramLabel = "PEM", defaultValue = "${env:KEYMETER_CA_FILE}",
            description = "Speak TLS and trust the CAs in this PEM bundle (env KEYMETER_CA_FILE).")
    Path caFile;

    @Option(names = "--client-cert", paramLabel = "PEM", defaultValue = "${env:KEYMETER_CLIENT_CERT}",
            description = "Client certificate for an admin API with mTLS (env KEYMETER_CLIENT_CERT); with --client-key.")
    Path clientCert;

    @Option(names = "--client-key", paramLabel = "PEM", defaultValue = "${env:KEYMETER_CLIENT_KEY}",
            description = "The client certificate's private key, PKCS#8 (env KEYMETER_CLIENT_KEY).")
    Path clientKey;

    @Option(names = "--output", paramLabel = "table|json", defaultValue = "table",
            converter = Choices.Output.class,
            description = "table for people (default), json for scripts.")
    OutputFormat output;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = Values.Duration.class,
            description = "Deadline of each call, e.g. 10s, 500ms (default: 10s).")
    Duration timeout;

    /** The address calls go to, for messages: with the default port filled in. */
    String address() {
        return AdminAddress.parse(address).target();
    }

    /** The admin key as given, or null; for scrubbing it from messages, never for printing. */
    String adminKeyOrNull() {
        return adminKey == null || adminKey.isBlank() ? null : adminKey.trim();
    }

    /** Whether calls go over TLS: asked for, or implied by a CA bundle or a client certificate. */
    boolean usesTls() {
        return tls || caFile != null || clientCert != null;
    }

    OutputFormat output() {
        return output;
    }

    /** Checks what can be checked before any call; a failure is a usage error (exit 2). */
    void validate(CommandSpec spec) {
        String key = adminKeyOrNull();
        if (key == null) {
            throw new ParameterException(spec.commandLine(), NO_ADMIN_KEY);
        }
        if (!key.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new ParameterException(spec.commandLine(),
                    "the admin key holds characters a header cannot carry (only printable ASCII)");
        }
        if ((clientCert == null) != (clientKey == null)) {
            throw new ParameterException(spec.commandLine(), clientCert == null
                    ? "--client-key needs --client-cert" : "--client-cert needs --client-key");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new ParameterException(spec.commandLine(), "--timeout must be more than 0");
        }
    }

    /** Opens a channel to the admin API; {@link #validate} first. */
    AdminSession open(CommandSpec spec) {
        validate(spec);
        ClientTls clientTls = null;
        if (usesTls()) {
            try {
                clientTls = ClientTls.load(new ClientTlsFiles(caFile, clientCert, clientKey));
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        AdminAddress target = AdminAddress.parse(address);
        try {
            target.resolve();
            return AdminSession.open(target.target(), adminKeyOrNull(), timeout, clientTls);
        } catch (IllegalArgumentException e) {
            if (clientTls != null) {
                clientTls.close();
            }
            throw new ParameterException(spec.commandLine(), "--addr '" + address + "' is not a valid address");
        } catch (RuntimeException e) {
            if (clientTls != null) {
                clientTls.close();
            }
            throw e;
        }
    }
}
