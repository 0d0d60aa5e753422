package dev.keymeter.server;

import io.grpc.EquivalentAddressGroup;
import io.grpc.ManagedChannel;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.ManagedChannelBuilder;
import dev.keymeter.tls.ClientTls;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sidecar's channel to its control planes ({@code --control-plane A:9190,B:9190}). gRPC's
 * {@code pick_first} policy connects to the first address that answers, in the order given (each
 * host name expanded to all its addresses); when that connection breaks — the control plane
 * stopped, crashed or was drained — the replication stream fails, reconnects after its backoff, and
 * the channel tries the addresses again from the first, so the stream resumes from its cursor on a
 * control plane that is up. One address behaves as before, a DNS name resolving to several addresses
 * included (gRPC's DNS resolver feeds {@code pick_first} the same way).
 *
 * <p>Several addresses are handed to gRPC through a name resolver registered once for the scheme
 * {@value #SCHEME}; the target names a list kept here ({@code keymeter-control-planes:///3}), since
 * an address list with IPv6 brackets is not a valid URI path. Each resolution looks the host names up
 * again.
 */
final class ControlPlaneChannel {

    static final String SCHEME = "keymeter-control-planes";
    private static final Map<String, List<HostPort>> LISTS = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT = new AtomicInteger();

    static {
        NameResolverRegistry.getDefaultRegistry().register(new ListResolverProvider());
    }

    private ControlPlaneChannel() {
    }

    /** A plaintext channel to the control planes at {@code targets}, tried in order. */
    static ManagedChannel open(List<HostPort> targets) {
        return open(targets, null);
    }

    /**
     * A channel to the control planes at {@code targets}, tried in order, over TLS when {@code tls} is
     * set. Each control plane's certificate must name the host it was dialled by (as given in the list).
     */
    static ManagedChannel open(List<HostPort> targets, ClientTls tls) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("--control-plane needs at least one HOST:PORT");
        }
        ManagedChannelBuilder<?> builder;
        if (targets.size() == 1) {
            builder = tls == null ? ManagedChannelBuilder.forAddress(targets.get(0).host(), targets.get(0).port())
                    : Grpc.newChannelBuilderForAddress(targets.get(0).host(), targets.get(0).port(), tls.credentials());
        } else {
            String id = Integer.toString(NEXT.incrementAndGet());
            LISTS.put(id, List.copyOf(targets));
            builder = tls == null ? ManagedChannelBuilder.forTarget(SCHEME + ":///" + id)
                    : Grpc.newChannelBuilder(SCHEME + ":///" + id, tls.credentials());
        }
        if (tls == null) {
            builder.usePlaintext();
        }
        return builder
                // Notice a control plane that vanished without closing the connection.
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .build();
    }

    /** {@code HOST:PORT[,HOST:PORT…]}, each checked as {@code flag}'s value. */
    static List<HostPort> parse(String flag, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(flag + " needs at least one HOST:PORT");
        }
        List<HostPort> targets = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                targets.add(HostPort.parse(flag, part.strip()));
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException(flag + " needs at least one HOST:PORT");
        }
        return targets;
    }

    /** Resolves {@code keymeter-control-planes:///ID} to the addresses of list ID, in order. */
    private static final class ListResolverProvider extends NameResolverProvider {
        @Override
        protected boolean isAvailable() {
            return true;
        }

        @Override
        protected int priority() {
            return 5;
        }

        @Override
        public String getDefaultScheme() {
            return SCHEME;
        }

        @Override
        public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
            return List.of(InetSocketAddress.class);
        }

        @Override
        public NameResolver newNameResolver(URI target, NameResolver.Args args) {
            if (!SCHEME.equals(target.getScheme())) {
                return null;
            }
            List<HostPort> list = LISTS.get(target.getPath().substring(1));
            return list == null ? null : new ListResolver(list);
        }
    }

    private static final class ListResolver extends NameResolver {
        private final List<HostPort> targets;
        private Listener2 listener;

        ListResolver(List<HostPort> targets) {
            this.targets = targets;
        }

        @Override
        public String getServiceAuthority() {
            return targets.get(0).toString();
        }

        @Override
        public void start(Listener2 listener) {
            this.listener = listener;
            resolve();
        }

        @Override
        public void refresh() {
            resolve();
        }

        private void resolve() {
            List<EquivalentAddressGroup> groups = new ArrayList<>();
            List<String> unknown = new ArrayList<>();
            for (HostPort t : targets) {
                try {
                    for (InetAddress address : InetAddress.getAllByName(t.host())) {
                        // Each address keeps its own host name, which its TLS certificate must match.
                        groups.add(new EquivalentAddressGroup(new InetSocketAddress(address, t.port()),
                                Attributes.newBuilder()
                                        .set(EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE, t.toString()).build()));
                    }
                } catch (UnknownHostException e) {
                    unknown.add(t.host());
                }
            }
            if (groups.isEmpty()) {
                listener.onError(Status.UNAVAILABLE.withDescription("no control plane address resolves: " + unknown));
                return;
            }
            listener.onResult(ResolutionResult.newBuilder().setAddressesOrError(
                    io.grpc.StatusOr.fromValue(groups)).build());
        }

        @Override
        public void shutdown() {
        }
    }
}
