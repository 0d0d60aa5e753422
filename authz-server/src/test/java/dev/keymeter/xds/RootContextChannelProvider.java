package dev.keymeter.xds;

import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ForwardingChannelBuilder2;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.ManagedChannelProvider;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Test-only workaround for a grpc-java 1.85.1 bug (design §4): {@code ExtAuthzFilter} starts the
 * data call from inside the authz call's callback, so the data call inherits the authz call's
 * {@link Context}, which the filter cancels once the answer is in — every allowed call then fails
 * with "io.grpc.Context was cancelled without error". Channels built for {@link #target} create
 * their calls under {@link Context#ROOT}, so the authz call's callbacks run outside that context.
 *
 * <p>Registered with the default {@code ManagedChannelRegistry} for the length of a test; answers
 * {@code Grpc.newChannelBuilder} only for {@link #target} and hands every other target to Netty.
 */
final class RootContextChannelProvider extends ManagedChannelProvider {

    private final String target;
    private final ChannelCredentials tls;

    RootContextChannelProvider(String target) {
        this(target, null);
    }

    /**
     * As above; when the bootstrap asks for {@code tls} channel credentials for the target, {@code tls}
     * stands in for them: grpc-java 1.85.1's {@code tls} bootstrap type trusts only the JDK's CAs and
     * takes no client certificate, where Envoy's {@code transport_socket} names a CA bundle and one.
     */
    RootContextChannelProvider(String target, ChannelCredentials tls) {
        this.target = Objects.requireNonNull(target, "target");
        this.tls = tls;
    }

    @Override
    protected boolean isAvailable() {
        return true;
    }

    @Override
    protected int priority() {
        return 10;
    }

    @Override
    protected ManagedChannelBuilder<?> builderForAddress(String name, int port) {
        return NettyChannelBuilder.forAddress(name, port);
    }

    @Override
    protected ManagedChannelBuilder<?> builderForTarget(String anyTarget) {
        return NettyChannelBuilder.forTarget(anyTarget);
    }

    @Override
    protected NewChannelBuilderResult newChannelBuilder(String requested, ChannelCredentials creds) {
        if (!target.equals(requested)) {
            return NewChannelBuilderResult.error("not the ext_authz target");
        }
        ChannelCredentials used = tls != null && creds instanceof io.grpc.TlsChannelCredentials ? tls : creds;
        return NewChannelBuilderResult.channelBuilder(new RootContextBuilder(NettyChannelBuilder.forTarget(requested, used)));
    }

    @Override
    protected Collection<Class<? extends SocketAddress>> getSupportedSocketAddressTypes() {
        return List.of(InetSocketAddress.class);
    }

    private static final class RootContextBuilder extends ForwardingChannelBuilder2<RootContextBuilder> {
        private final ManagedChannelBuilder<?> delegate;

        RootContextBuilder(ManagedChannelBuilder<?> delegate) {
            this.delegate = delegate;
        }

        @Override
        protected ManagedChannelBuilder<?> delegate() {
            return delegate;
        }

        @Override
        public ManagedChannel build() {
            return new RootContextChannel(delegate.build());
        }
    }

    /** Creates every call under {@link Context#ROOT}; everything else goes to the real channel. */
    private static final class RootContextChannel extends ManagedChannel {
        private final ManagedChannel delegate;

        RootContextChannel(ManagedChannel delegate) {
            this.delegate = delegate;
        }

        @Override
        public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(MethodDescriptor<ReqT, RespT> method, CallOptions options) {
            Context previous = Context.ROOT.attach();
            try {
                return delegate.newCall(method, options);
            } finally {
                Context.ROOT.detach(previous);
            }
        }

        @Override
        public String authority() {
            return delegate.authority();
        }

        @Override
        public ManagedChannel shutdown() {
            delegate.shutdown();
            return this;
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public ManagedChannel shutdownNow() {
            delegate.shutdownNow();
            return this;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return delegate.awaitTermination(timeout, unit);
        }
    }
}
