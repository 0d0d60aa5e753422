package dev.keymeter.server;

import dev.keymeter.files.OwnerOnly;
import dev.keymeter.lifecycle.ControlPlaneRules;
import dev.keymeter.lifecycle.IssuedKey;
import dev.keymeter.lifecycle.KeyCreation;
import dev.keymeter.store.KeyStore;
import dev.keymeter.store.StoreException;
import dev.keymeter.store.StoreSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code keymeter admin}: what the owner of a control plane's machine does without the admin API.
 * (The admin API's own client commands are {@code keys}, {@code projects}, {@code members},
 * {@code audit}.)
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Offline administration on the control plane's machine (no admin API call).",
        subcommands = AdminRecoveryCommand.Recover.class)
final class AdminRecoveryCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name an admin command: recover");
    }

    /**
     * {@code keymeter admin recover --data-dir DIR [--store …]}: mints a new admin key with preset All
     * straight into the store, for when no key that can manage keymeter is left (lost, or the last one
     * expired). Having the data directory, and with it the store, is the credential: only the
     * machine's owner can run it. The token is printed once; the audit log records it.
     */
    @Command(name = "recover", mixinStandardHelpOptions = true,
            description = "Mint a new admin key with preset All directly in the store and print it once (audited,"
                    + " actor 'recovery'). Needs the data directory; works while the control plane runs.")
    static final class Recover implements Callable<Integer> {

        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:KEYMETER_DATA_DIR:-./data}",
                description = "The control plane's data directory (env KEYMETER_DATA_DIR; default ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--store", paramLabel = "STORE", defaultValue = "${env:KEYMETER_STORE}",
                description = "The control plane's store, as its --store (env KEYMETER_STORE; default:"
                        + " sqlite:<data-dir>/keymeter.db).")
        String store;

        @Option(names = "--store-password-file", paramLabel = "FILE", defaultValue = "${env:KEYMETER_STORE_PASSWORD_FILE}",
                description = "The PostgreSQL password's file, as the control plane's.")
        Path storePasswordFile;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path data = dataDir.toAbsolutePath().normalize();
            StoreSpec storeSpec = storeSpec(data);
            try {
                requireDataDirectory(data, storeSpec);
            } catch (IOException e) {
                err.println("error: admin recover: " + e.getMessage());
                err.flush();
                return 1;
            }
            try (KeyStore keys = storeSpec.open()) {
                IssuedKey issued = new ControlPlaneRules(keys, Clock.systemUTC()).creation().recover();
                out.println();
                out.println("Recovery admin key (" + issued.key().id() + ", preset All), shown this once:");
                out.println();
                out.println("    " + issued.token());
                out.println();
                out.println("Audited as RecoverAdminKey by '" + KeyCreation.RECOVERY_ACTOR + "' in " + storeSpec + ".");
                out.println("Use it with the CLI:  export KEYMETER_ADMIN_KEY=<the key above>");
                out.flush();
                return 0;
            } catch (StoreException | IllegalArgumentException e) {
                err.println("error: admin recover: " + e.getMessage() + "; no key was created");
                err.flush();
                return 1;
            }
        }

        private StoreSpec storeSpec(Path data) {
            ProcessOptions options = new ProcessOptions();
            options.store = store;
            options.storePasswordFile = storePasswordFile;
            try {
                StoreSpec chosen = options.storeSpec(data);
                return chosen != null ? chosen : StoreSpec.sqlite(data.resolve(
                        dev.keymeter.admin.ControlPlaneConfig.DATABASE_FILE));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "invalid setting: " + e.getMessage());
            }
        }

        /**
         * The data directory must be there, owner-only enough to start a control plane from, and, for
         * SQLite, hold the store: recovery never creates an empty store.
         */
        private static void requireDataDirectory(Path data, StoreSpec storeSpec) throws IOException {
            if (!Files.isDirectory(data)) {
                throw new IOException("no data directory at " + data + " (--data-dir): recovery needs the control"
                        + " plane's data directory");
            }
            OwnerOnly.requireNotWritableByOthers(data);
            if (!storeSpec.postgres() && !Files.exists(storeSpec.sqliteFile())) {
                throw new IOException("no store at " + storeSpec.sqliteFile() + ": nothing to recover (the first"
                        + " start of a control plane creates the bootstrap admin key)");
            }
        }
    }
}
