package dev.keymeter.check;

import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.replica.ReplicaEntry;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;

/**
 * The answer that lets a request through, telling the upstream who called.
 *
 * <p>Identity headers, each set with {@code OVERWRITE_IF_EXISTS_OR_ADD} so that it replaces any copy
 * the client sent: {@value Headers#KEY_ID}; {@value Headers#KEY_KIND} ({@code admin} or
 * {@code project}); {@value Headers#OWNER} (the user id, or {@code service-account}); and, for project
 * keys only, {@value Headers#PROJECT_ID}. An admin key acts on every project, so it gets no project
 * header: the upstream takes the project from the request itself.
 *
 * <p>{@code headers_to_remove} holds the client-sent {@code x-keymeter-*} names that this answer does
 * <em>not</em> set, and the token headers (when configured). It must not hold the names we set: Envoy
 * applies {@code headers_to_remove} after the headers it sets (ext_authz.cc, {@code onComplete}), so
 * listing {@code x-keymeter-key-id} there would strip our own value.
 */
final class AllowResponses {

    private static final Status OK = Status.newBuilder().setCode(Code.OK_VALUE).build();
    private static final HeaderValueOption ADMIN_KIND = Headers.overwrite(Headers.KEY_KIND, "admin");
    private static final HeaderValueOption PROJECT_KIND = Headers.overwrite(Headers.KEY_KIND, "project");
    private static final HeaderValueOption SERVICE_ACCOUNT = Headers.overwrite(Headers.OWNER, "service-account");

    private AllowResponses() {
    }

    /**
     * The response for {@code key}: the one remembered in its memo ({@link HotKey}) when that was built
     * under the same settings for the same token headers, else a new one, then remembered and encoded
     * once (every later request with the key sends those bytes). A request that sent
     * {@code x-keymeter-*} headers gets a response of its own (rare, and its removal list is the
     * client's doing). {@code hinted} is what {@link HotKey#hinted} returned after the lookup.
     */
    static CheckReply allow(ReplicaEntry key, RequestHeaders request, CompiledSettings settings, CheckReply hinted) {
        if (!request.identityHeaders().isEmpty()) {
            return CheckReply.of(build(key, request, settings));
        }
        int sent = request.tokenHeadersSent();
        CheckReply reply = HotKey.allowed(key, settings, sent, hinted);
        if (reply == null) {
            reply = CheckReply.encodedOnce(build(key, request, settings));
            HotKey.rememberAllowed(key, settings, sent, reply);
        }
        return reply;
    }

    private static CheckResponse build(ReplicaEntry key, RequestHeaders request, CompiledSettings settings) {
        String project = key.kind == KeyKind.ADMIN || key.projectId == null || key.projectId.isEmpty()
                ? null : key.projectId;
        OkHttpResponse.Builder ok = OkHttpResponse.newBuilder()
                .addHeaders(Headers.overwrite(Headers.KEY_ID, key.keyId))
                .addHeaders(key.kind == KeyKind.ADMIN ? ADMIN_KIND : PROJECT_KIND)
                .addHeaders(key.ownerType == OwnerType.SERVICE_ACCOUNT ? SERVICE_ACCOUNT
                        : Headers.overwrite(Headers.OWNER, key.ownerUser == null ? "" : key.ownerUser));
        if (project != null) {
            ok.addHeaders(Headers.overwrite(Headers.PROJECT_ID, project));
        }
        for (String name : request.identityHeaders()) {
            if (!sets(name, project != null)) {
                ok.addHeadersToRemove(name);
            }
        }
        if (settings.settings().removeTokenHeaders()) {
            String[] names = settings.tokenHeaders();
            for (int i = 0; i < names.length; i++) {
                if ((request.tokenHeadersSent() & (1 << i)) != 0) {
                    ok.addHeadersToRemove(names[i]);
                }
            }
        }
        return CheckResponse.newBuilder()
                .setStatus(OK)
                .setOkResponse(ok)
                .setDynamicMetadata(DynamicMetadata.allowed(key.keyId, project))
                .build();
    }

    /** True for the identity headers this answer sets (lower-case {@code name}). */
    private static boolean sets(String name, boolean withProject) {
        return name.equals(Headers.KEY_ID) || name.equals(Headers.KEY_KIND) || name.equals(Headers.OWNER)
                || (withProject && name.equals(Headers.PROJECT_ID));
    }
}
