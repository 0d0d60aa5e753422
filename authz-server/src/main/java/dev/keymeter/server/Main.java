package dev.keymeter.server;

import dev.keymeter.cli.CliSupport;
import dev.keymeter.chronicle.ChronicleFiles;
import dev.keymeter.http.SlowClients;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code keymeter}: the one executable. The process modes ({@code serve}, {@code control-plane},
 * {@code sidecar}, {@code doctor}, {@code store copy}, {@code admin recover}) and the admin CLI ({@code keys}, {@code projects}, {@code members}, {@code audit})
 * are its subcommands.
 */
@Command(
        name = "keymeter",
        mixinStandardHelpOptions = true,
        versionProvider = Main.JarVersion.class,
        description = "API keys, permissions and budgets for AI/LLM gateways behind Envoy.",
        subcommands = {
            // The process's commands, in the order `keymeter --help` lists them; the CLI client's follow.
            ServeCommand.class,
            ControlPlaneCommand.class,
            SidecarCommand.class,
            DoctorCommand.class,
            StoreCommand.class,
            IngestTokenCommand.class,
            AdminRecoveryCommand.class,
            VersionCommand.class,
            dev.keymeter.checkcli.CheckCommand.class,
        })
public final class Main {

    /** One line per log record: time, level, logger, message. Set before the first logger exists. */
    private static final String LOG_FORMAT = "%1$tFT%1$tT.%1$tLZ %4$s %3$s %5$s%6$s%n";

    static {
        // Before anything can touch a Chronicle class: it reads these properties once (design §5).
        ChronicleFiles.disableAnalytics();
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", LOG_FORMAT);
        }
    }

    public static void main(String[] args) {
        ChronicleFiles.disableAnalytics();
        RuntimeTuning.disableLeakDetectionUnlessSet(); // here, not in a static block: tests keep it on
        SlowClients.limit(); // before the first HTTP listener: the metrics one may start before the console's
        System.exit(commandLine().execute(args));
    }

    /** The root command with every subcommand and the CLI's error handling installed. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        CliSupport.CLIENT_COMMANDS.forEach(cl::addSubcommand);
        return CliSupport.configure(cl);
    }

    /** The version the jar's manifest was built with. */
    static final class JarVersion implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"keymeter " + (version == null ? "(not built as a jar)" : version)};
        }
    }
}
