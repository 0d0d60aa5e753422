package dev.keymeter.server;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code keymeter control-plane}: the control plane alone (store, admin API, replication), for real deployments. */
@Command(name = "control-plane", mixinStandardHelpOptions = true,
        description = "Run the control plane alone: the key store, the admin gRPC API and the replication "
                + "stream sidecars follow.")
final class ControlPlaneCommand implements Callable<Integer> {

    @Mixin
    ProcessOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return new ProcessRunner("control-plane", SettingsReader.read(options, spec), spec.commandLine().getOut(),
                spec.commandLine().getErr()).controlPlane();
    }
}
