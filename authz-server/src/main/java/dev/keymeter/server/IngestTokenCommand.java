package dev.keymeter.server;

import dev.keymeter.ingest.IngestTokens;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code keymeter ingest-token create}: a new ingest token for the usage ports, printed once with the
 * line that makes a sidecar accept it. Offline: nothing is stored; the operator puts the digest line
 * in the sidecars' {@code --ingest-token-file} and the token in Envoy's {@code initial_metadata}.
 */
@Command(name = "ingest-token", mixinStandardHelpOptions = true,
        description = "Ingest tokens: the credential Envoy and gateways send to the sidecar's usage ports.",
        subcommands = IngestTokenCommand.Create.class)
final class IngestTokenCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Print a new ingest token (shown this once) and the line to add to --ingest-token-file.")
    static final class Create implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String token = IngestTokens.newToken();
            PrintWriter out = spec.commandLine().getOut();
            out.println("Ingest token, shown this once (send it as gRPC metadata " + IngestTokens.HEADER + "):");
            out.println();
            out.println("    " + token);
            out.println();
            out.println("Add this line to each sidecar's --ingest-token-file (it holds the digest, not the token):");
            out.println();
            out.println("    " + IngestTokens.digestLine(token));
            out.println();
            out.flush();
            return 0;
        }
    }
}
