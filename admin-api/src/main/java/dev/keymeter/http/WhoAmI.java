package dev.keymeter.http;

import com.google.gson.JsonObject;
import dev.keymeter.lifecycle.AdminFailure;
import dev.keymeter.lifecycle.Authenticator;
import dev.keymeter.lifecycle.Caller;
import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import dev.keymeter.proto.admin.v1.GetKeyRequest;
import dev.keymeter.proto.admin.v1.Key;
import dev.keymeter.store.StoreException;
import io.grpc.Status;
import java.util.Optional;

/**
 * {@code GET /v1/whoami}: the caller's key. The {@link Authenticator} (the rule gRPC applies) says
 * which key the token is; its settings come from GetKey through the same channel as every route, so a
 * key that may not use the admin API (a sidecar credential) is refused here as there.
 */
final class WhoAmI {

    private final Authenticator authenticator;
    private final Transcoder transcoder;

    WhoAmI(Authenticator authenticator, Transcoder transcoder) {
        this.authenticator = authenticator;
        this.transcoder = transcoder;
    }

    /** The JSON answer for {@code token}; {@code user} is the trusted proxy header's, or empty. */
    String answer(Optional<String> token, Optional<String> user, String peer) {
        Caller caller = authenticate(token, peer);
        Key key = transcoder.call(AdminServiceGrpc.getGetKeyMethod(),
                GetKeyRequest.newBuilder().setKeyId(caller.keyId()).build(), token, peer);
        JsonObject body = new JsonObject();
        body.addProperty("keyId", key.getId());
        body.addProperty("kind", key.getKind().name());
        body.addProperty("projectId", key.getProjectId());
        body.addProperty("name", key.getName());
        body.addProperty("user", user.orElse(""));
        return body.toString();
    }

    /**
     * The caller, or the refusal gRPC gives: a refused token is sent on through the channel, so the
     * server's interceptor refuses it with its own message and counts it in the audited summary of
     * refused calls, as for every other route.
     */
    private Caller authenticate(Optional<String> token, String peer) {
        try {
            return authenticator.authenticate(token.orElse(null));
        } catch (AdminFailure refused) {
            transcoder.call(AdminServiceGrpc.getGetKeyMethod(), GetKeyRequest.getDefaultInstance(), token, peer);
            throw HttpRefusal.of(Status.Code.valueOf(refused.reason().name()), refused.getMessage());
        } catch (StoreException unreachable) { // as gRPC says it: the database is down, not a bug
            throw HttpRefusal.of(Status.Code.UNAVAILABLE, "the key store is unreachable; retry later");
        }
    }
}
