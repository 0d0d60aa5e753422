package dev.keymeter.server;

import dev.keymeter.store.KeyStore;
import dev.keymeter.store.StoreCopy;
import dev.keymeter.store.StoreException;
import dev.keymeter.store.StoreSpec;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code keymeter store}: work on a control plane's store while no control plane uses it. */
@Command(name = "store", mixinStandardHelpOptions = true,
        description = "Work on a control plane's store directly (stop the control planes first).",
        subcommands = StoreCommand.Copy.class)
final class StoreCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a store command: copy");
    }

    /** {@code keymeter store copy --from … --to …}. */
    @Command(name = "copy", mixinStandardHelpOptions = true,
            description = "Copy keys, projects, members, the audit log and the change log from one store into"
                    + " a new, empty one (SQLite to PostgreSQL or back), keeping ids and revisions. Sidecars"
                    + " that move to the new store take a snapshot.")
    static final class Copy implements Callable<Integer> {

        @Option(names = "--from", paramLabel = "STORE", required = true, defaultValue = "${env:KEYMETER_STORE_FROM}",
                description = "The store to copy: sqlite:PATH or postgresql://… (env KEYMETER_STORE_FROM, which"
                        + " keeps a password out of the process list).")
        String from;

        @Option(names = "--to", paramLabel = "STORE", required = true, defaultValue = "${env:KEYMETER_STORE_TO}",
                description = "The new, empty store: sqlite:PATH or postgresql://… (env KEYMETER_STORE_TO).")
        String to;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            StoreSpec source = parse("--from", from);
            StoreSpec target = parse("--to", to);
            if (source.toString().equals(target.toString())) {
                throw new ParameterException(spec.commandLine(), "--from and --to name the same store: " + source);
            }
            out.println("copying " + source + " into " + target);
            out.flush();
            try (KeyStore in = source.open(); KeyStore into = target.open()) {
                StoreCopy.Result result = StoreCopy.copy(in, into, line -> {
                    out.println("  " + line);
                    out.flush();
                });
                long rows = result.rows().values().stream().mapToLong(Long::longValue).sum();
                out.println("copied " + rows + " rows (" + describe(result.rows()) + ") at revision "
                        + result.revision());
                out.flush();
                return 0;
            } catch (IllegalArgumentException | StoreException e) {
                err.println("error: store copy failed: " + e.getMessage() + "; the target is unchanged");
                err.flush();
                return 1;
            }
        }

        private StoreSpec parse(String flag, String value) {
            if (value == null || value.isBlank()) {
                throw new ParameterException(spec.commandLine(), flag + " is required");
            }
            try {
                return StoreSpec.parse(value.strip(), null);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage().replace("--store", flag));
            }
        }

        private static String describe(Map<String, Long> rows) {
            StringBuilder b = new StringBuilder();
            rows.forEach((table, n) -> b.append(b.length() == 0 ? "" : ", ").append(table).append(' ').append(n));
            return b.toString();
        }
    }
}
