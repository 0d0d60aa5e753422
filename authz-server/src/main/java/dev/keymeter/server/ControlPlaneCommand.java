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

    /**
     * The control plane's own {@code /readyz} port when neither {@code --metrics-addr} nor
     * {@code KEYMETER_METRICS_LISTEN} names one: one above a sidecar's 9464, so the two can share a host
     * with their defaults.
     */
    static final String DEFAULT_METRICS_ADDR = "127.0.0.1:9465";

    @Override
    public Integer call() {
        if (!spec.commandLine().getParseResult().hasMatchedOption("--metrics-addr")
                && System.getenv("KEYMETER_METRICS_LISTEN") == null) {
            options.metricsAddr = DEFAULT_METRICS_ADDR;
        }
        return new ProcessRunner("control-plane", SettingsReader.read(options, spec), spec.commandLine().getOut(),
                spec.commandLine().getErr()).bootstrapKeyFileOnly(options.bootstrapKeyFileOnly).controlPlane();
    }
}
