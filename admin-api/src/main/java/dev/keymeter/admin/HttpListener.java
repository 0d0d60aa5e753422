package dev.keymeter.admin;

import dev.keymeter.console.ConsoleMount;
import dev.keymeter.console.Sessions;
import dev.keymeter.http.CallerToken;
import dev.keymeter.http.HttpFront;
import dev.keymeter.http.HttpMount;
import dev.keymeter.http.JsonApi;
import dev.keymeter.http.OpenApiDocument;
import dev.keymeter.lifecycle.Authenticator;
import dev.keymeter.tls.ServerTls;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The control plane's HTTP side ({@code --console-addr}): an in-process gRPC server with the admin
 * service exactly as the network server binds it (same interceptors, same service object), a channel
 * to it, and the {@link HttpFront} whose JSON API calls through that channel. So a JSON call meets
 * the same authentication, validation, rules and audit as a gRPC one. Closed with the control plane.
 */
final class HttpListener implements AutoCloseable {

    private final Server server;
    private final ManagedChannel channel;
    private final ServerTls tls;
    private final HttpFront front;

    private HttpListener(Server server, ManagedChannel channel, ServerTls tls, HttpFront front) {
        this.server = server;
        this.channel = channel;
        this.tls = tls;
        this.front = front;
    }

    /** Starts the in-process server and the HTTP listener on {@code config.consoleAddress()}. */
    static HttpListener start(ControlPlaneConfig config, ServerServiceDefinition adminService,
            Authenticator authenticator, RefusedCalls refusedCalls) throws IOException {
        String name = "keymeter-http-" + System.identityHashCode(adminService) + "-" + System.nanoTime();
        Server server = InProcessServerBuilder.forName(name).addService(adminService).build().start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        ServerTls tls = null;
        try {
            // The certificate of the admin listener, without its client CA: browsers sign in with a key.
            tls = config.tls() == null ? null : ServerTls.load(config.tls().withClientCa(null));
            HttpFront front = HttpFront.start(config.consoleAddress(), tls, mounts(config, channel, authenticator,
                    refusedCalls));
            return new HttpListener(server, channel, tls, front);
        } catch (IOException | RuntimeException e) {
            if (tls != null) {
                tls.close();
            }
            channel.shutdownNow();
            server.shutdownNow();
            throw e;
        }
    }

    /** What the listener serves. The console adds its mount and, first in the list, its session's token. */
    private static List<HttpMount> mounts(ControlPlaneConfig config, ManagedChannel channel,
            Authenticator authenticator, RefusedCalls refusedCalls) {
        ConsoleMount console = new ConsoleMount(authenticator, new Sessions(config.clock(), config.console().sessions()),
                config.console(), refusedCalls::record);
        CallerToken callers = CallerToken.firstOf(List.of(console.callerToken(), CallerToken.authorizationHeader()));
        return List.of(new JsonApi(channel, authenticator, callers), new OpenApiDocument(), console);
    }

    int port() {
        return front.port();
    }

    /** {@code http://127.0.0.1:9193/console/}, with the port bound. */
    String consoleUrl(String host) {
        String shown = host.contains(":") ? "[" + host + "]" : host;
        return front.scheme() + "://" + shown + ":" + port() + "/console/";
    }

    @Override
    public void close() {
        front.close();
        channel.shutdownNow();
        server.shutdownNow();
        if (tls != null) {
            tls.close();
        }
    }
}
