package dev.keymeter.bench;

import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.stub.StreamObserver;

/**
 * The baseline of the h2load comparison: an Authorization service that allows everything at once,
 * served with exactly the settings keymeter's Check uses, so the difference is keymeter's work.
 */
final class NoOpAuthorizationServer extends AuthorizationGrpc.AuthorizationImplBase {

    private static final CheckResponse OK = CheckResponse.newBuilder()
            .setStatus(com.google.rpc.Status.newBuilder().setCode(0))
            .build();

    @Override
    public void check(CheckRequest request, StreamObserver<CheckResponse> out) {
        out.onNext(OK);
        out.onCompleted();
    }
}
