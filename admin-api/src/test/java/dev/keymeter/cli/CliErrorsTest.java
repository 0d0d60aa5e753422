package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliErrorsTest {

    @Test
    void exitCode_everyStatusCode_followsTheDocumentedTable() {
        Map<Status.Code, Integer> expected = Map.ofEntries(
                Map.entry(Status.Code.OK, 0),
                Map.entry(Status.Code.NOT_FOUND, 3),
                Map.entry(Status.Code.PERMISSION_DENIED, 4),
                Map.entry(Status.Code.UNAUTHENTICATED, 4),
                Map.entry(Status.Code.INVALID_ARGUMENT, 5),
                Map.entry(Status.Code.FAILED_PRECONDITION, 5),
                Map.entry(Status.Code.ALREADY_EXISTS, 5),
                Map.entry(Status.Code.UNAVAILABLE, 6),
                Map.entry(Status.Code.DEADLINE_EXCEEDED, 6));
        for (Status.Code code : Status.Code.values()) {
            assertEquals(expected.getOrDefault(code, 1), CliErrors.exitCode(code), code.name());
        }
    }

    @Test
    void handle_notFound_printsCodeAndDescriptionOnOneLine() {
        Handled handled = handle(Status.NOT_FOUND.withDescription("key key_9 not found\nat all"), "--admin-key", "kma_x");

        assertEquals(3, handled.exitCode);
        assertEquals("error: NOT_FOUND: key key_9 not found at all" + System.lineSeparator(), handled.err);
    }

    @Test
    void handle_descriptionEchoingTheAdminKey_scrubsIt() {
        Handled handled = handle(Status.UNAUTHENTICATED.withDescription("bad key kma_Secret123456"),
                "--admin-key", "kma_Secret123456");

        assertEquals(4, handled.exitCode);
        assertEquals("error: UNAUTHENTICATED: bad key <admin key>" + System.lineSeparator(), handled.err);
    }

    @Test
    void handle_unavailable_namesTheAddressAndTheCause() {
        Status status = Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new ConnectException("Connection refused"));

        Handled handled = handle(status, "--addr", "keymeter.internal:9190", "--admin-key", "kma_x");

        assertEquals(6, handled.exitCode);
        assertEquals("error: cannot reach keymeter at keymeter.internal:9190: UNAVAILABLE: io exception"
                + " (Connection refused)" + System.lineSeparator(), handled.err);
    }

    @Test
    void handle_otherException_isExit1WithItsMessage() {
        CommandLine commandLine = commandLine("--admin-key", "kma_x");
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err, true));

        int exitCode = new CliErrors().handleExecutionException(new IllegalStateException("boom"), commandLine, null);

        assertEquals(1, exitCode);
        assertEquals("error: boom" + System.lineSeparator(), err.toString());
    }

    private record Handled(int exitCode, String err) {
    }

    private static Handled handle(Status status, String... args) {
        CommandLine commandLine = commandLine(args);
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = new CliErrors().handleExecutionException(new StatusRuntimeException(status), commandLine, null);
        return new Handled(exitCode, err.toString());
    }

    /** A parsed {@code keys get} whose connection options the handler reads. */
    private static CommandLine commandLine(String... args) {
        KeyGetCommand get = new KeyGetCommand();
        CommandLine commandLine = new CommandLine(get);
        String[] all = new String[args.length + 1];
        all[0] = "key_9";
        System.arraycopy(args, 0, all, 1, args.length);
        commandLine.parseArgs(all);
        return commandLine;
    }
}
