package dev.keymeter.xds;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.atomic.AtomicReference;

/** Keeps the request headers of the last call the backend received. */
final class HeaderRecorder implements ServerInterceptor {

    private final AtomicReference<Metadata> last = new AtomicReference<>();

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        last.set(headers);
        return next.startCall(call, headers);
    }

    /** The last call's headers, or null when none arrived since {@link #clear()}. */
    Metadata last() {
        return last.get();
    }

    void clear() {
        last.set(null);
    }
}
