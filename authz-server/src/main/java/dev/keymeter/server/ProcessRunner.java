package dev.keymeter.server;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.lifecycle.IssuedKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the control plane, says where it listens, prints the bootstrap admin key the one time it is
 * created, and stops gracefully on SIGTERM (or Ctrl-C): no new calls, in-flight calls finish within
 * the grace period, the store closes cleanly.
 */
final class ProcessRunner {

    private ProcessRunner() {
    }

    static int run(String mode, Settings settings, PrintWriter out, PrintWriter err) {
        ControlPlane controlPlane;
        try {
            controlPlane = ControlPlane.start(settings.controlPlane());
        } catch (IOException e) {
            err.println("error: cannot start the control plane on " + settings.adminAddress() + " with data in "
                    + settings.dataDir() + ": " + rootMessage(e));
            err.flush();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("keymeter: shutting down (grace " + settings.shutdownGrace().toSeconds() + "s)");
            out.flush();
            controlPlane.close();
            out.println("keymeter: stopped");
            out.flush();
            stopped.countDown();
        }, "keymeter-shutdown"));
        banner(mode, settings, controlPlane, out);
        try {
            controlPlane.awaitTermination();
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static void banner(String mode, Settings settings, ControlPlane cp, PrintWriter out) {
        out.println("keymeter " + mode + " started");
        out.println("  data directory : " + settings.dataDir());
        out.println("  admin API      : " + new HostPort(cp.host(), cp.port())
                + " (gRPC, with health and reflection)");
        cp.bootstrapKey().ifPresentOrElse(key -> bootstrapNotice(key, cp, out), () -> {
            if (Files.exists(cp.bootstrapKeyFile())) {
                out.println("  warning        : " + cp.bootstrapKeyFile()
                        + " still holds the bootstrap admin key; delete it once the key is stored safely");
            }
        });
        out.println("Press Ctrl-C (or send SIGTERM) to stop.");
        out.flush();
    }

    private static void bootstrapNotice(IssuedKey key, ControlPlane cp, PrintWriter out) {
        out.println();
        out.println("Bootstrap admin key (" + key.key().id() + "), shown this once:");
        out.println();
        out.println("    " + key.token());
        out.println();
        out.println("It is also in " + cp.bootstrapKeyFile() + " (mode 0600). Store it safely, then delete that file.");
        out.println("Use it with the CLI:  export KEYMETER_ADMIN_KEY=<the key above>");
        out.println();
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
