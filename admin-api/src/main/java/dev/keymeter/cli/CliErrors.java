package dev.keymeter.cli;

import dev.keymeter.keys.UnsafeText;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one place that turns a failed command into a one-line message on stderr and an exit code.
 *
 * <p>Exit codes, stable for scripts:
 * <pre>
 *   0  OK
 *   1  anything else (an unexpected failure, an unreadable --token-file…)
 *   2  usage error: a bad or missing option, a refused combination, --yes missing, no admin key
 *      (picocli's own code for invalid input)
 *   3  NOT_FOUND
 *   4  PERMISSION_DENIED, UNAUTHENTICATED
 *   5  INVALID_ARGUMENT, FAILED_PRECONDITION, ALREADY_EXISTS (the server refused the request)
 *   6  UNAVAILABLE, DEADLINE_EXCEEDED (the server could not be reached in time)
 * </pre>
 *
 * <p>Messages read {@code error: <CODE>: <description>}, or {@code error: cannot reach keymeter at
 * <addr>: <reason>} for codes 6. They never hold a stack trace, and the admin key is scrubbed from
 * them whatever its source, in case a proxy or a future server echoes the header back.
 *
 * <p>Usage errors print {@code error: <what is wrong>} and where to find help, not the whole help
 * text: in a terminal the one line that matters would otherwise scroll away.
 */
public final class CliErrors implements IExecutionExceptionHandler, IParameterExceptionHandler {

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;
    public static final int DENIED = 4;
    public static final int REFUSED = 5;
    public static final int UNREACHABLE = 6;

    private static final String HIDDEN_KEY = "<admin key>";

    @Override
    public int handleExecutionException(Exception failure, CommandLine commandLine, ParseResult parseResult) {
        ConnectionOptions connection = connectionOf(commandLine.getCommandSpec());
        Status status = statusOf(failure);
        String message = status == null ? "error: " + describe(failure)
                : message(status, connection, commandLine.getCommandSpec());
        PrintWriter err = commandLine.getErr();
        err.println(UnsafeText.escaped(scrub(oneLine(message), connection)));
        err.flush();
        return status == null ? FAILURE : exitCode(status.getCode());
    }

    @Override
    public int handleParseException(ParameterException failure, String[] args) {
        CommandLine commandLine = failure.getCommandLine();
        PrintWriter err = commandLine.getErr();
        err.println(UnsafeText.escaped(scrub("error: " + oneLine(describe(failure)),
                connectionOf(commandLine.getCommandSpec()))));
        UnmatchedArgumentException.printSuggestions(failure, err);
        err.println("Try '" + commandLine.getCommandSpec().qualifiedName() + " --help' for the options.");
        err.flush();
        return commandLine.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** The exit code for a gRPC status code. */
    public static int exitCode(Status.Code code) {
        return switch (code) {
            case OK -> OK;
            case NOT_FOUND -> NOT_FOUND;
            case PERMISSION_DENIED, UNAUTHENTICATED -> DENIED;
            case INVALID_ARGUMENT, FAILED_PRECONDITION, ALREADY_EXISTS -> REFUSED;
            case UNAVAILABLE, DEADLINE_EXCEEDED -> UNREACHABLE;
            default -> FAILURE;
        };
    }

    static String message(Status status, ConnectionOptions connection, CommandSpec command) {
        if (exitCode(status.getCode()) == UNREACHABLE) {
            String address = connection == null ? "the configured address" : connection.address();
            String reason = reason(status);
            // A TLS server drops a plaintext client's connection: say what may be missing.
            String hint = connection != null && !connection.usesTls()
                    && (reason.contains("Network closed") || reason.contains("reset by peer"))
                    ? " (if it serves TLS: pass --ca-file PEM or --tls)" : "";
            return "error: cannot reach keymeter at " + address + ": " + reason + hint;
        }
        String address = connection == null ? "the configured address" : connection.address();
        String wrongPort = ServerMessages.wrongPortHint(status, address);
        String description = status.getDescription();
        if (description == null) {
            return "error: " + status.getCode() + ": (no description)" + wrongPort;
        }
        return "error: " + status.getCode() + ": " + ServerMessages.translate(description, command) + wrongPort;
    }

    private static String reason(Status status) {
        StringBuilder reason = new StringBuilder(status.getCode().name());
        if (status.getDescription() != null) {
            reason.append(": ").append(status.getDescription());
        }
        Throwable cause = status.getCause();
        if (cause != null && cause.getMessage() != null) {
            reason.append(" (").append(cause.getMessage());
            // A TLS failure says what went wrong only at the bottom of its chain ("PKIX path building
            // failed", "certificate expired"); the top says "General OpenSslEngine problem".
            String root = rootMessage(cause);
            if (root != null && !root.equals(cause.getMessage())) {
                reason.append(": ").append(root);
            }
            reason.append(')');
        }
        return reason.toString();
    }

    private static String rootMessage(Throwable failure) {
        String message = null;
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }

    private static Status statusOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StatusRuntimeException e) {
                return e.getStatus();
            }
            if (t instanceof StatusException e) {
                return e.getStatus();
            }
        }
        return null;
    }

    private static String describe(Exception failure) {
        return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    }

    private static ConnectionOptions connectionOf(CommandSpec spec) {
        return spec.mixins().values().stream()
                .map(CommandSpec::userObject)
                .filter(ConnectionOptions.class::isInstance)
                .map(ConnectionOptions.class::cast)
                .findFirst().orElse(null);
    }

    private static String oneLine(String message) {
        return message.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    private static String scrub(String message, ConnectionOptions connection) {
        String key = connection == null ? null : connection.adminKeyOrNull();
        return key == null ? message : message.replace(key, HIDDEN_KEY);
    }
}
