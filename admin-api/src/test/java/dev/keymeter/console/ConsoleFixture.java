package dev.keymeter.console;

import com.sun.net.httpserver.HttpServer;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A real control plane (SQLite in a temp dir, gRPC on port 0) and the console mounted on a real HTTP
 * listener on a free loopback port, with a probe at {@code /probe} that answers what the
 * {@link SessionGate} decided for it, as the JSON API asks it.
 */
final class ConsoleFixture implements AutoCloseable {

    final ControlPlane controlPlane;
    final Sessions sessions;
    final ConsoleMount mount;
    private final HttpServer server;

    ConsoleFixture(Path dir, Clock sessionClock, ConsoleSettings settings) throws IOException {
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir).withPort(0));
        sessions = new Sessions(sessionClock, settings.sessions());
        mount = new ConsoleMount(controlPlane.rules().authenticator(), sessions, settings);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(ConsoleMount.PREFIX, mount::handle);
        server.createContext("/probe", exchange -> {
            SessionGate.Admission admission = mount.gate().admit(exchange);
            String answer = "none";
            if (admission instanceof SessionGate.Admission.Admitted admitted) {
                answer = "admitted " + admitted.session().keyId();
            } else if (admission instanceof SessionGate.Admission.Refused refused) {
                answer = "refused " + refused.httpStatus() + " " + refused.message();
            }
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String adminKey() {
        return controlPlane.bootstrapKey().orElseThrow().token();
    }

    @Override
    public void close() {
        server.stop(0);
        controlPlane.close();
    }
}
