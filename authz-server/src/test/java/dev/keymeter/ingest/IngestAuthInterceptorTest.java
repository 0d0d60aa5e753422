package dev.keymeter.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.proto.usage.v1.ReportRequest;
import dev.keymeter.proto.usage.v1.UsageServiceGrpc;
import dev.keymeter.usage.IngestionListener;
import dev.keymeter.usage.Settlement;
import dev.keymeter.usage.UsageRecord;
import dev.keymeter.usage.UsageReportService;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate on real servers: {@code UsageService/Report} behind {@link IngestAuthInterceptor} on Netty
 * over loopback, plaintext and with TLS whose client certificate is optional (so that the gate, not the
 * handshake, decides). A verified client certificate admits without a token; a token admits without a
 * certificate; neither is UNAUTHENTICATED with nothing settled and the refusal counted.
 */
class IngestAuthInterceptorTest {

    @TempDir
    static Path certs;
    static TestCertificates server;
    static TestCertificates client;
    static TestCertificates stranger;

    private static final String TOKEN = IngestTokens.newToken();
    private final AtomicInteger settled = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        server = TestCertificates.create(certs, "server");
        client = TestCertificates.create(certs, "client");
        stranger = TestCertificates.create(certs, "stranger");
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private int start(ServerCredentials credentials) throws Exception {
        IngestionListener listener = new IngestionListener() {
            @Override
            public void unauthenticated(UsageRecord.Source source) {
                refused.incrementAndGet();
            }
        };
        Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), credentials)
                .directExecutor()
                .addService(ServerInterceptors.intercept(new UsageReportService(usage -> {
                    settled.incrementAndGet();
                    return new Settlement(Settlement.Outcome.COUNTED, 0);
                }, listener), new IngestAuthInterceptor(IngestTokens.of(TOKEN), listener)))
                .build().start();
        open.add(() -> s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return s.getPort();
    }

    private ServerCredentials tls() throws Exception {
        return TlsServerCredentials.newBuilder().keyManager(server.keyManagers().getKeyManagers())
                .trustManager(client.trustingThis().getTrustManagers())
                .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL).build();
    }

    private static ChannelCredentials tlsClient(TestCertificates identity) throws Exception {
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder()
                .trustManager(server.trustingThis().getTrustManagers());
        if (identity != null) {
            b.keyManager(identity.keyManagers().getKeyManagers());
        }
        return b.build();
    }

    private void report(int port, ChannelCredentials credentials, String token) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port, credentials).build();
        try {
            UsageServiceGrpc.UsageServiceBlockingStub stub = UsageServiceGrpc.newBlockingStub(channel);
            if (token != null) {
                Metadata m = new Metadata();
                m.put(IngestAuthInterceptor.TOKEN, token);
                stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
            }
            stub.withDeadlineAfter(10, TimeUnit.SECONDS).report(ReportRequest.newBuilder().setRequestId("r-1")
                    .setKeyId("key_abc").setInputTokens(10).build());
        } finally {
            channel.shutdownNow();
        }
    }

    private static Status.Code refusedWith(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }

    @Test
    void report_overMutualTls_withoutToken_isSettled() throws Exception {
        int port = start(tls());
        report(port, tlsClient(client), null);
        assertEquals(1, settled.get());
        assertEquals(0, refused.get());
    }

    @Test
    void report_overTlsWithoutClientCertificate_needsTheToken() throws Exception {
        int port = start(tls());
        ChannelCredentials noCertificate = tlsClient(null);
        assertEquals(Status.Code.UNAUTHENTICATED, refusedWith(() -> report(port, noCertificate, null)));
        assertEquals(0, settled.get(), "nothing reaches the service");
        assertEquals(1, refused.get());
        report(port, noCertificate, TOKEN);
        assertEquals(1, settled.get());
    }

    @Test
    void report_withCertificateOfAnotherIssuer_isNotAdmitted() throws Exception {
        int port = start(tls());
        ChannelCredentials otherIssuer = tlsClient(stranger);
        // The server names the issuers it accepts; the client has none of theirs, so it sends no
        // certificate, and the gate finds neither a verified certificate nor a token.
        assertEquals(Status.Code.UNAUTHENTICATED, refusedWith(() -> report(port, otherIssuer, null)));
        assertEquals(0, settled.get());
        assertEquals(1, refused.get());
    }

    @Test
    void report_plaintext_withoutOrWithWrongToken_isUnauthenticated_withTokenSettled() throws Exception {
        int port = start(InsecureServerCredentials.create());
        ChannelCredentials plain = InsecureChannelCredentials.create();
        assertEquals(Status.Code.UNAUTHENTICATED, refusedWith(() -> report(port, plain, null)));
        assertEquals(Status.Code.UNAUTHENTICATED, refusedWith(() -> report(port, plain, IngestTokens.newToken())));
        assertEquals(Status.Code.UNAUTHENTICATED, refusedWith(() -> report(port, plain, "")));
        assertEquals(0, settled.get());
        assertEquals(3, refused.get());
        report(port, plain, TOKEN);
        assertEquals(1, settled.get());
        assertTrue(refused.get() == 3);
    }
}
