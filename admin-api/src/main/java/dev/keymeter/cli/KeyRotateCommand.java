package dev.keymeter.cli;

import dev.keymeter.proto.admin.v1.RotateKeyRequest;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keys rotate KEY_ID}: a new secret for the same key id. The old secret keeps working for
 * the grace period so that deployments can switch over without an outage.
 */
@Command(name = "rotate", description = "Issue a new secret for the key; the old one works for a grace period.")
final class KeyRotateCommand extends KeyIdCommand {

    @Option(names = "--grace", paramLabel = "DURATION", converter = Values.Duration.class,
            description = "How long the old secret keeps working, 0s to 7d, e.g. 24h, 30m, 0s"
                    + " (default: the server's, 24h).")
    Duration grace;

    @Override
    void run(AdminSession session) {
        printWithToken(session.stub().rotateKey(request()));
    }

    RotateKeyRequest request() {
        RotateKeyRequest.Builder request = RotateKeyRequest.newBuilder().setKeyId(keyId);
        if (grace != null) {
            request.setGracePeriod(Times.toProto(grace));
        }
        return request.build();
    }
}
