package dev.keymeter.cli;

import java.util.List;
import picocli.CommandLine;

/**
 * What the executable's root command needs from this package: the top-level client commands and
 * the error handling they expect.
 *
 * <pre>{@code
 * CommandLine cl = new CommandLine(new KeymeterCommand());
 * CliSupport.CLIENT_COMMANDS.forEach(cl::addSubcommand);
 * System.exit(CliSupport.configure(cl).execute(args));
 * }</pre>
 */
public final class CliSupport {

    /** The top-level client commands: {@code keys}, {@code projects}, {@code members}, {@code sidecars}, {@code audit}. */
    public static final List<Class<?>> CLIENT_COMMANDS = List.of(KeysCommand.class, ProjectsCommand.class,
            MembersCommand.class, SidecarsCommand.class, AuditCommand.class);

    private CliSupport() {
    }

    /**
     * Installs {@link CliErrors} as the execution-exception handler and the parameter-exception
     * handler, so that failed calls and usage errors print one line and exit with the documented
     * codes. Call it on the command line that {@code execute} is called on (the root).
     *
     * @return {@code commandLine}, for chaining
     */
    public static CommandLine configure(CommandLine commandLine) {
        addHelp(commandLine);
        CliErrors errors = new CliErrors();
        return commandLine.setExecutionExceptionHandler(errors).setParameterExceptionHandler(errors);
    }

    /**
     * A {@code help} subcommand on every command that has subcommands ({@code keymeter help keys},
     * {@code keymeter keys help create}), as kubectl and gh have.
     */
    private static void addHelp(CommandLine commandLine) {
        if (commandLine.getSubcommands().isEmpty()) {
            return;
        }
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            addHelp(sub);
        }
        if (!commandLine.getSubcommands().containsKey("help")) {
            commandLine.addSubcommand("help", new CommandLine.HelpCommand());
        }
    }
}
