package dev.keymeter.server;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code keymeter version}: the version this build carries, as {@code keymeter --version} prints it. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print keymeter's version and exit.")
final class VersionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        for (String line : new Main.JarVersion().getVersion()) {
            spec.commandLine().getOut().println(line);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
