package dev.keymeter.server;

import dev.keymeter.tls.ClientTls;
import dev.keymeter.tls.ClientTlsFiles;
import dev.keymeter.keys.TokenType;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code keymeter sidecar}: the ext_authz sidecar alone, following a control plane elsewhere. */
@Command(name = "sidecar", mixinStandardHelpOptions = true,
        description = "Run the ext_authz sidecar alone (127.0.0.1:9191), its replica under <data-dir>/replica, "
                + "fed by the control plane at --control-plane.")
final class SidecarCommand implements Callable<Integer> {

    @Mixin
    ProcessOptions options;

    @Option(names = "--control-plane", paramLabel = "HOST:PORT[,HOST:PORT…]",
            defaultValue = "${env:KEYMETER_CONTROL_PLANE:-127.0.0.1:9190}",
            description = "The control plane's admin address, or several control planes sharing one store, tried "
                    + "in order: the sidecar follows the first that answers and moves on when it goes away "
                    + "(env KEYMETER_CONTROL_PLANE; default ${DEFAULT-VALUE}).")
    String controlPlane;

    @Option(names = "--control-plane-key", paramLabel = "KEY", defaultValue = "${env:KEYMETER_CONTROL_PLANE_KEY}",
            showDefaultValue = Visibility.NEVER,
            description = "The sidecar credential (keymeter sidecars create NAME) for replication and reports; an "
                    + "admin key with preset All still works, deprecated (env KEYMETER_CONTROL_PLANE_KEY, which "
                    + "keeps it out of the process list).")
    String controlPlaneKey;

    @Option(names = "--control-plane-ca", paramLabel = "PEM", defaultValue = "${env:KEYMETER_CONTROL_PLANE_CA}",
            description = "Reach the control plane over TLS, trusting the CAs in this bundle "
                    + "(env KEYMETER_CONTROL_PLANE_CA).")
    Path controlPlaneCa;

    @Option(names = "--control-plane-client-cert", paramLabel = "PEM",
            defaultValue = "${env:KEYMETER_CONTROL_PLANE_CLIENT_CERT}",
            description = "This sidecar's certificate for a control plane with mTLS "
                    + "(env KEYMETER_CONTROL_PLANE_CLIENT_CERT; with --control-plane-client-key).")
    Path controlPlaneClientCert;

    @Option(names = "--control-plane-client-key", paramLabel = "PEM",
            defaultValue = "${env:KEYMETER_CONTROL_PLANE_CLIENT_KEY}",
            description = "Its private key, PKCS#8 PEM (env KEYMETER_CONTROL_PLANE_CLIENT_KEY).")
    Path controlPlaneClientKey;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Settings settings = SettingsReader.read(options, spec);
        List<HostPort> targets = parse("--control-plane", controlPlane);
        if (controlPlaneKey == null || controlPlaneKey.isBlank()) {
            throw new ParameterException(spec.commandLine(),
                    "no control-plane key: pass --control-plane-key or set KEYMETER_CONTROL_PLANE_KEY");
        }
        if (controlPlaneKey.strip().startsWith(TokenType.ADMIN.prefix())) {
            spec.commandLine().getErr().println("warning: --control-plane-key is an admin key: deprecated for "
                    + "sidecars (read-only admin keys are refused); create a sidecar credential with "
                    + "'keymeter sidecars create NAME'");
        }
        ClientTls tls = clientTls();
        ManagedChannel channel = ControlPlaneChannel.open(targets, tls);
        String shown = targets.stream().map(HostPort::toString).collect(java.util.stream.Collectors.joining(", "));
        return new ProcessRunner("sidecar", settings, spec.commandLine().getOut(), spec.commandLine().getErr())
                .sidecar(channel, shown + (tls == null ? " (plaintext)" : " (TLS)"), controlPlaneKey.strip(), tls);
    }

    /** The control-plane channel's TLS, or null for plaintext (no CA bundle and no client certificate). */
    private ClientTls clientTls() {
        if (controlPlaneCa == null && controlPlaneClientCert == null && controlPlaneClientKey == null) {
            return null;
        }
        if ((controlPlaneClientCert == null) != (controlPlaneClientKey == null)) {
            throw new ParameterException(spec.commandLine(), controlPlaneClientCert == null
                    ? "--control-plane-client-key needs --control-plane-client-cert"
                    : "--control-plane-client-cert needs --control-plane-client-key");
        }
        try {
            return ClientTls.load(new ClientTlsFiles(controlPlaneCa, controlPlaneClientCert, controlPlaneClientKey));
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "invalid setting: " + e.getMessage());
        }
    }

    private List<HostPort> parse(String flag, String value) {
        try {
            return ControlPlaneChannel.parse(flag, value);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid setting: " + e.getMessage());
        }
    }
}
