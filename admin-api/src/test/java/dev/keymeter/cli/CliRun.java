package dev.keymeter.cli;

import dev.keymeter.admin.ControlPlane;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * One run of a client command as the executable would run it (picocli parsing, {@link CliSupport}
 * error handling), with stdout and stderr captured.
 */
record CliRun(int exitCode, String out, String err) {

    static CliRun run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = CliSupport.configure(new CommandLine(command));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }

    /** {@link #run} against a control plane on loopback, with its address and an admin key appended. */
    static CliRun against(ControlPlane controlPlane, String adminKey, Object command, String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--addr=127.0.0.1:" + controlPlane.port();
        all[args.length + 1] = "--admin-key=" + adminKey;
        return run(command, all);
    }

    /** Parses {@code args} into {@code command} without running it, for request-building tests. */
    static <C> C parse(C command, String... args) {
        new CommandLine(command).parseArgs(args);
        return command;
    }
}
