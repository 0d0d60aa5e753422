package dev.keymeter.cli;

import dev.keymeter.keys.UnsafeText;
import dev.keymeter.proto.admin.v1.CreateKeyRequest;
import dev.keymeter.proto.admin.v1.CreateKeyResponse;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.OwnerType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sidecars create NAME}: a new sidecar credential, its token printed this once. */
@Command(name = "create", description = "Create a sidecar credential. Its token is printed once: pass it to "
        + "the sidecar as --control-plane-key (or KEYMETER_CONTROL_PLANE_KEY).")
final class SidecarCreateCommand extends AdminCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "A name for the sidecar or fleet, e.g. gateway-eu.")
    String name;

    @Override
    void run(AdminSession session) {
        CreateKeyResponse created = session.stub().createKey(CreateKeyRequest.newBuilder().setName(name)
                .setKind(KeyKind.KEY_KIND_SIDECAR).setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT).build());
        print(created, () -> {
            KeyViews.printToken(out(), created.getToken());
            out().println("Sidecar credential " + created.getKey().getId() + " (" + UnsafeText.escaped(created.getKey().getName())
                    + "): start sidecars with KEYMETER_CONTROL_PLANE_KEY=<the token above>.");
        });
    }
}
