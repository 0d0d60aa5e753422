package dev.keymeter.cli;

import dev.keymeter.keys.UnsafeText;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The shape of every command that calls the admin API: check the options, open a session, make the
 * call(s), print the result, close the session.
 *
 * <p>{@link #validate()} runs before the admin key is even looked at, so that a malformed command
 * fails the same way with or without credentials, and before anything reaches the server.
 * Failures propagate to {@link CliErrors}; output goes to the command line's writers, never to
 * {@code System.out}, so that a caller (or a test) decides where it lands.
 */
abstract class AdminCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    /** What the command exits with when it ran to the end; a command that finds a failure sets it. */
    int exitCode = CliErrors.OK;

    @Override
    public final Integer call() {
        validate();
        try (AdminSession session = connection.open(spec)) {
            run(session);
        }
        out().flush();
        return exitCode;
    }

    /** Client-side checks; throw {@link #usage(String)} to refuse. */
    void validate() {
    }

    /** Makes the call(s) and prints the result. */
    abstract void run(AdminSession session);

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    boolean json() {
        return connection.output() == OutputFormat.JSON;
    }

    /** A usage error (exit 2) naming what is wrong. */
    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Prints {@code message} as JSON with {@code --output json}, else runs the table printer. */
    void print(MessageOrBuilder message, Runnable table) {
        if (json()) {
            printJson(message);
        } else {
            table.run();
        }
    }

    /**
     * Prints one listing: the table, or {@code noneText} when there are no rows, then how to get
     * the next page when there is one.
     */
    void printListing(Table table, int rows, String noneText, String nextPageToken) {
        if (rows == 0) {
            out().println(noneText);
        } else {
            table.print(out());
        }
        if (!nextPageToken.isEmpty()) {
            out().println("More results: --page-token " + nextPageToken + " (or --all)");
        }
    }

    /** Prints a response as protobuf JSON: the same field names as the API, for scripts. */
    void printJson(MessageOrBuilder message) {
        try {
            // Every field, empty lists as [] included, so that `jq '.members[]'` works on an empty listing;
            // valid JSON either way, and escaped: a bidi override in a name cannot reorder the terminal.
            out().println(UnsafeText.escapedJson(JsonFormat.printer().includingDefaultValueFields().print(message)));
        } catch (InvalidProtocolBufferException e) {
            // Only Any fields with unknown types fail to print; the admin API has none.
            throw new IllegalStateException("cannot print the response as JSON", e);
        }
    }
}
