package dev.keymeter.console;

import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A real control plane (SQLite in a temp dir, gRPC on port 0) with its HTTP listener (JSON API and
 * console) on a free loopback port, as {@code keymeter serve} starts it.
 */
final class ConsoleFixture implements AutoCloseable {

    final ControlPlane controlPlane;

    ConsoleFixture(Path dir, Clock clock, ConsoleSettings settings) throws IOException {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir).withPort(0).withClock(clock)
                .withConsoleAddress(new InetSocketAddress("127.0.0.1", 0)).withConsole(settings));
    }

    URI uri(String path) {
        return URI.create(origin() + path);
    }

    String origin() {
        return "http://127.0.0.1:" + controlPlane.consolePort();
    }

    String adminKey() {
        return controlPlane.bootstrapKey().orElseThrow().token();
    }

    String adminKeyId() {
        return controlPlane.bootstrapKey().orElseThrow().key().id();
    }

    @Override
    public void close() {
        controlPlane.close();
    }
}
