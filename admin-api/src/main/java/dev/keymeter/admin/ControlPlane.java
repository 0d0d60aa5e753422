package dev.keymeter.admin;

import dev.keymeter.lifecycle.ControlPlaneRules;
import dev.keymeter.lifecycle.IssuedKey;
import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import dev.keymeter.store.KeyStore;
import dev.keymeter.store.SqliteKeyStore;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The control plane: the SQLite store, the rules, and the admin gRPC server with health and
 * reflection. On the first start of an empty store it creates the bootstrap admin key, writes it to
 * a 0600 file in the data directory and hands it to the caller once, to print.
 */
public final class ControlPlane implements AutoCloseable {

    private final ControlPlaneConfig config;
    private final KeyStore store;
    private final ControlPlaneRules rules;
    private final Server server;
    private final HealthStatusManager health;
    private final IssuedKey bootstrapKey;

    private ControlPlane(ControlPlaneConfig config, KeyStore store, ControlPlaneRules rules, Server server,
            HealthStatusManager health, IssuedKey bootstrapKey) {
        this.config = config;
        this.store = store;
        this.rules = rules;
        this.server = server;
        this.health = health;
        this.bootstrapKey = bootstrapKey;
    }

    /** Opens the store, bootstraps the first admin key if there is none, and starts serving. */
    public static ControlPlane start(ControlPlaneConfig config) throws IOException {
        Files.createDirectories(config.dataDir());
        KeyStore store = SqliteKeyStore.open(config.databaseFile());
        try {
            ControlPlaneRules rules = new ControlPlaneRules(store, config.clock());
            IssuedKey bootstrap = rules.creation().bootstrapIfEmpty().orElse(null);
            if (bootstrap != null) {
                BootstrapKeyFile.write(config.bootstrapKeyFile(), bootstrap.token());
            }
            HealthStatusManager health = new HealthStatusManager();
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
                    .addService(ServerInterceptors.intercept(new AdminGrpcService(rules, config.clock()),
                            new AuthInterceptor(rules.authenticator(), rules.audited())))
                    .addService(health.getHealthService())
                    .addService(ProtoReflectionServiceV1.newInstance())
                    .build()
                    .start();
            health.setStatus("", ServingStatus.SERVING);
            health.setStatus(AdminServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
            return new ControlPlane(config, store, rules, server, health, bootstrap);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The port the admin API listens on (useful when the config asked for port 0). */
    public int port() {
        return server.getPort();
    }

    public String host() {
        return config.host();
    }

    /**
     * The bootstrap admin key, present only when this start created it. Callers print its token
     * once; the control plane never shows it again.
     */
    public Optional<IssuedKey> bootstrapKey() {
        return Optional.ofNullable(bootstrapKey);
    }

    public Path bootstrapKeyFile() {
        return config.bootstrapKeyFile();
    }

    public ControlPlaneRules rules() {
        return rules;
    }

    public KeyStore store() {
        return store;
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Stops taking calls, lets in-flight calls finish within the grace period, then closes the store. */
    @Override
    public void close() {
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            store.close();
        }
    }
}
