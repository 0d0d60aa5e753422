package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** Connection options and what the client says when it cannot get an answer. */
class ConnectionOptionsTest {

    private static final String ADMIN_KEY = "kma_Sup3rSecretAdminKeyValue0123456789";

    @Test
    void call_withoutAdminKey_isUsageErrorSayingHowToPassOne() {
        assumeTrue(System.getenv("KEYMETER_ADMIN_KEY") == null, "KEYMETER_ADMIN_KEY is set in this environment");

        CliRun run = CliRun.run(new KeysCommand(), "get", "key_1", "--addr", "127.0.0.1:1");

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains(ConnectionOptions.NO_ADMIN_KEY), run.err());
    }

    @Test
    void call_refusedConnection_exits6NamingTheAddressWithoutTheKey() {
        CliRun run = CliRun.run(new KeysCommand(), "get", "key_1",
                "--addr", "127.0.0.1:1", "--timeout", "3s", "--admin-key", ADMIN_KEY);

        assertEquals(CliErrors.UNREACHABLE, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("error: cannot reach keymeter at 127.0.0.1:1: UNAVAILABLE"), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertFalse(run.err().contains(ADMIN_KEY), run.err());
        assertEquals("", run.out());
    }

    @Test
    void call_serverThatNeverAnswers_exits6AfterTheTimeout() throws IOException {
        // A socket that accepts TCP connections (the kernel's backlog) but never speaks HTTP/2.
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + silent.getLocalPort();

            CliRun run = CliRun.run(new KeysCommand(), "list",
                    "--addr", address, "--timeout", "300ms", "--admin-key", ADMIN_KEY);

            assertEquals(CliErrors.UNREACHABLE, run.exitCode(), run.err());
            assertTrue(run.err().startsWith("error: cannot reach keymeter at " + address + ": "), run.err());
            assertFalse(run.err().contains(ADMIN_KEY), run.err());
        }
    }

    @Test
    void call_unknownOutputFormat_isUsageError() {
        CliRun run = CliRun.run(new KeysCommand(), "list", "--output", "yaml", "--admin-key", ADMIN_KEY);

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("'yaml' is not one of table, json"), run.err());
    }

    @Test
    void call_zeroTimeout_isUsageError() {
        CliRun run = CliRun.run(new KeysCommand(), "list", "--timeout", "0s", "--admin-key", ADMIN_KEY);

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("--timeout"), run.err());
    }

    @Test
    void group_withoutSubcommand_isUsageErrorListingThem() {
        CliRun run = CliRun.run(new KeysCommand());

        assertEquals(CliErrors.USAGE, run.exitCode());
        assertTrue(run.err().contains("create, list, get, update"), run.err());
    }
}
