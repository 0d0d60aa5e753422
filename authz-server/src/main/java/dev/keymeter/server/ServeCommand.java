package dev.keymeter.server;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code keymeter serve}: everything in one process with embedded defaults; the first thing to run. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run keymeter in one process: the control plane (admin API on 127.0.0.1:9190) and the "
                + "ext_authz sidecar (127.0.0.1:9191), data under ./data.")
final class ServeCommand implements Callable<Integer> {

    @Mixin
    ProcessOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return new ProcessRunner("serve", SettingsReader.read(options, spec), spec.commandLine().getOut(),
                spec.commandLine().getErr()).bootstrapKeyFileOnly(options.bootstrapKeyFileOnly).serve();
    }
}
