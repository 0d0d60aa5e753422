package dev.keymeter.admin;

import dev.keymeter.grpc.GracefulStop;
import dev.keymeter.lifecycle.AdminFailure;
import dev.keymeter.lifecycle.ControlPlaneRules;
import dev.keymeter.lifecycle.IssuedKey;
import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import dev.keymeter.proto.replication.v1.ReplicationServiceGrpc;
import dev.keymeter.replication.LastUsedService;
import dev.keymeter.replication.Replication;
import dev.keymeter.store.DiskReserve;
import dev.keymeter.store.KeyStore;
import dev.keymeter.store.DuplicateException;
import dev.keymeter.tls.ServerTls;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import dev.keymeter.files.OwnerOnly;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The control plane: the store (SQLite, or PostgreSQL shared with other control planes), the rules, and one gRPC server with the admin API, the
 * replication Watch service (both behind the same authentication), health and reflection. On the
 * first start of an empty store it creates the bootstrap admin key, writes it to a 0600 file in the
 * data directory and hands it to the caller once, to print.
 */
public final class ControlPlane implements AutoCloseable {

    private final ControlPlaneConfig config;
    private final KeyStore store;
    private final ControlPlaneRules rules;
    private final Server server;
    private final Replication replication;
    private final HealthStatusManager health;
    private Server inProcessServer;
    private ManagedChannel inProcessChannel;
    private final IssuedKey bootstrapKey;
    private final StoreHealth storeHealth;
    /** The admin listener's certificate, re-read while it serves; null when plaintext. */
    private final ServerTls tls;
    private final RefusedCalls refusedCalls;
    /** The HTTP listener (JSON API, OpenAPI, console); null when {@code --console-addr off}. */
    private HttpListener http;

    private ControlPlane(ControlPlaneConfig config, KeyStore store, ControlPlaneRules rules, Server server,
            Replication replication, HealthStatusManager health, IssuedKey bootstrapKey, StoreHealth storeHealth,
            ServerTls tls, RefusedCalls refusedCalls) {
        this.tls = tls;
        this.refusedCalls = refusedCalls;
        this.config = config;
        this.store = store;
        this.rules = rules;
        this.server = server;
        this.replication = replication;
        this.health = health;
        this.bootstrapKey = bootstrapKey;
        this.storeHealth = storeHealth;
    }

    /** Opens the store, bootstraps the first admin key if there is none, and starts serving. */
    public static ControlPlane start(ControlPlaneConfig config) throws IOException {
        OwnerOnly.prepareDataDirectory(config.dataDir());
        KeyStore store = config.storeSpec().open();
        Replication replication = null;
        ServerTls tls = null;
        RefusedCalls refusedCalls = null;
        HttpListener http = null;
        Server server = null;
        try {
            ControlPlaneRules rules = new ControlPlaneRules(store, config.clock(), config.usageBoard());
            // The reserve helps only a store on this machine's disk: a PostgreSQL server's disk is its own.
            rules.audited().useDiskReserve(config.storeSpec().postgres() ? DiskReserve.none()
                    : DiskReserve.in(config.dataDir(), config.diskReserveBytes()));
            IssuedKey bootstrap = bootstrap(rules, config.bootstrapKeyFile());
            replication = Replication.start(store, config.clock(), config.replication());
            rules.audited().onCommit(replication::committed);
            refusedCalls = new RefusedCalls(rules.audited(), config.clock(), config.refusalAuditInterval());
            AuthInterceptor auth = new AuthInterceptor(rules.authenticator(), refusedCalls);
            HealthStatusManager health = new HealthStatusManager();
            InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
            if (config.tls() != null) {
                tls = ServerTls.load(config.tls());
            }
            // One definition for both servers: the JSON API reaches the very same interceptors and service.
            ServerServiceDefinition admin = ServerInterceptors.intercept(UnreadableRequests.refused(
                    new AdminGrpcService(rules, config.clock()).bindService()), auth);
            server = (tls == null ? NettyServerBuilder.forAddress(address)
                    : NettyServerBuilder.forAddress(address, tls.credentials()))
                    .addService(admin)
                    .addService(ServerInterceptors.intercept(UnreadableRequests.refused(
                            replication.watchService().bindService()), auth))
                    .addService(ServerInterceptors.intercept(UnreadableRequests.refused(
                            new LastUsedService(store, rules.usageBoard(), rules.sidecarRevisions(), config.clock(),
                                    rules.audited()::diskFull).bindService()), auth))
                    .addService(health.getHealthService())
                    .addService(ProtoReflectionServiceV1.newInstance())
                    // v1alpha as well: grpcurl before 1.8.8 and other older tools speak only that one.
                    .addService(reflectionV1Alpha())
                    .build()
                    .start();
            if (config.consoleAddress() != null) {
                http = HttpListener.start(config, admin, rules.authenticator(), refusedCalls);
            }
            health.setStatus("", ServingStatus.SERVING);
            health.setStatus(AdminServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
            health.setStatus(ReplicationServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
            StoreHealth storeHealth = new StoreHealth(store, health,
                    List.of("", AdminServiceGrpc.SERVICE_NAME, ReplicationServiceGrpc.SERVICE_NAME));
            ControlPlane started = new ControlPlane(config, store, rules, server, replication, health, bootstrap,
                    storeHealth, tls, refusedCalls);
            started.http = http;
            return started;
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.shutdownNow();
            }
            if (tls != null) {
                tls.close();
            }
            if (refusedCalls != null) {
                refusedCalls.close();
            }
            if (replication != null) {
                replication.close();
            }
            store.close();
            throw e;
        }
    }

    /**
     * The bootstrap admin key if the store has no admin key yet, its token written to {@code file}
     * before the key commits ({@link BootstrapKeyFile}). Two control planes starting together on an
     * empty shared store may both try; the loser's insert breaks the unique name and rolls back, it
     * removes its file and starts without a key to show (the winner shows it).
     */
    private static IssuedKey bootstrap(ControlPlaneRules rules, Path file) {
        BootstrapKeyFile pending = new BootstrapKeyFile(file);
        try {
            return rules.creation().bootstrapIfEmpty(issued -> pending.write(issued.token())).orElse(null);
        } catch (DuplicateException anotherControlPlaneWon) {
            pending.removeIfWritten();
            return null;
        } catch (RuntimeException e) {
            pending.removeIfWritten();
            throw e;
        }
    }

    /**
     * A channel to this control plane's replication and sidecar-report services inside this JVM, for
     * the sidecar of {@code keymeter serve}. It needs no credentials: an in-process server is
     * reachable only from this process. Closed with the control plane.
     */
    public synchronized ManagedChannel inProcessChannel() throws IOException {
        if (inProcessChannel == null) {
            String name = "keymeter-control-plane-" + System.identityHashCode(this);
            inProcessServer = InProcessServerBuilder.forName(name)
                    .addService(replication.watchService())
                    .addService(new LastUsedService(store, rules.usageBoard(), rules.sidecarRevisions(), config.clock(),
                            rules.audited()::diskFull))
                    .build()
                    .start();
            inProcessChannel = InProcessChannelBuilder.forName(name).build();
        }
        return inProcessChannel;
    }

    /** The port the admin API listens on (useful when the config asked for port 0). */
    public int port() {
        return server.getPort();
    }

    public String host() {
        return config.host();
    }

    /** The port the HTTP listener (JSON API, console) bound; -1 when it is off ({@code --console-addr off}). */
    public int consolePort() {
        return http == null ? -1 : http.port();
    }

    /** Where the console is, e.g. {@code http://127.0.0.1:9193/console/}; empty when the listener is off. */
    public Optional<String> consoleUrl() {
        return http == null ? Optional.empty() : Optional.of(http.consoleUrl(config.consoleAddress().getHostString()));
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

    /**
     * Whether the store answered its last health check (every two seconds): what the gRPC health
     * service and {@code /readyz} report.
     */
    public boolean storeReachable() {
        return storeHealth.serving();
    }

    /** How the admin listener speaks: "plaintext", "TLS" or "mTLS (…)". */
    public String transport() {
        return tls == null ? "plaintext" : tls.describe();
    }

    /** Calls refused {@code reason} (no valid key, or the wrong kind of key) since start. */
    public long callsRefused(AdminFailure.Reason reason) {
        return refusedCalls.total(reason);
    }

    /** Whether admin writes fail, or are refused, because the data directory's disk is full. */
    public boolean diskFull() {
        return rules.audited().diskFull();
    }

    public KeyStore store() {
        return store;
    }

    /** The replication side: its Watch service and the notifier commits go to. */
    public Replication replication() {
        return replication;
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /**
     * Stops taking calls, ends the Watch streams (they never finish on their own; sidecars reconnect),
     * lets other in-flight calls finish within the grace period, then closes the store.
     */
    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        storeHealth.close();
        health.enterTerminalState();
        server.shutdown();
        synchronized (this) {
            if (inProcessChannel != null) {
                inProcessChannel.shutdownNow();
                inProcessServer.shutdownNow();
            }
        }
        replication.close();
        try {
            GracefulStop.awaitOrForce(server, config.shutdownGrace());
            refusedCalls.close(); // after the last call: its refusal is in the last summary
        } finally {
            if (tls != null) {
                tls.close();
            }
            store.close();
        }
    }

    /** gRPC server reflection v1alpha, deprecated by grpc-java in favour of v1 but still what older clients ask for. */
    @SuppressWarnings("deprecation")
    private static BindableService reflectionV1Alpha() {
        return ProtoReflectionService.newInstance();
    }
}
