package dev.keymeter.sidecar;

import io.grpc.BindableService;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * How the ext_authz port is served, in one place so that the sidecar and the h2load baseline use the
 * same settings. {@code directExecutor}: Check never blocks (a replica lookup and a response built
 * from memory), and handing each call to a thread pool cost ~4× the CPU per call here (design §4b).
 */
public final class AuthzServerBuilder {
    private AuthzServerBuilder() {
    }

    public static NettyServerBuilder forAddress(String host, int port, BindableService authorization) {
        return forAddress(host, port, authorization, null);
    }

    /** As above, over TLS (or mTLS) when {@code tls} is set. */
    public static NettyServerBuilder forAddress(String host, int port, BindableService authorization,
            ServerCredentials tls) {
        InetSocketAddress address = new InetSocketAddress(host, port);
        return (tls == null ? NettyServerBuilder.forAddress(address) : NettyServerBuilder.forAddress(address, tls))
                .directExecutor()
                .addService(authorization)
                .maxInboundMessageSize(1 << 20)
                .maxInboundMetadataSize(64 * 1024)
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true);
    }
}
