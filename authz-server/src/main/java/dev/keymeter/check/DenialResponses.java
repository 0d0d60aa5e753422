package dev.keymeter.check;

import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.Resource;
import dev.keymeter.routes.ResourceAccess;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every denial Check can send, built once per settings snapshot. Envoy maps no gRPC code to HTTP
 * (design §4), so each sets its HTTP status, JSON body and {@code content-type}; the gRPC status code
 * is only informative.
 *
 * <p>A denial for a request whose key is known is one of these plus the key id in its dynamic
 * metadata: a copy, made on the deny path only.
 */
final class DenialResponses {

    static final String INVALID_KEY_MESSAGE = "Invalid, expired, disabled or revoked API key.";
    static final String UNKNOWN_ROUTE_MESSAGE = "This route is not mapped to a keymeter resource.";

    /** Each encoded once: a flood of unknown or malformed tokens is answered by copying bytes. */
    private final Map<DenialReason, CheckReply> byReason = new EnumMap<>(DenialReason.class);
    /** Index {@code 2 * resource.ordinal() + (write ? 1 : 0)}. */
    private final CheckResponse[] insufficient = new CheckResponse[2 * Resource.values().length];

    DenialResponses(CheckSettings settings) {
        for (DenialReason reason : DenialReason.values()) {
            if (reason.isAuthentication()) {
                String message = reason == DenialReason.MISSING_TOKEN ? missingKeyMessage(settings) : INVALID_KEY_MESSAGE;
                byReason.put(reason, CheckReply.encodedOnce(unauthenticated(reason, message)));
            }
        }
        byReason.put(DenialReason.UNKNOWN_ROUTE, CheckReply.encodedOnce(unknownRoute(settings.unknownRouteStatus())));
        for (Resource r : Resource.values()) {
            for (AccessLevel access : List.of(AccessLevel.READ, AccessLevel.WRITE)) {
                insufficient[slot(ResourceAccess.of(r, access))] = insufficient(r, access);
            }
        }
    }

    /** The denial for a caller not known as any key (a constant). */
    CheckReply anonymous(DenialReason reason) {
        return byReason.get(reason);
    }

    /** The denial for {@code reason} that names the key in its dynamic metadata. */
    CheckReply forKey(DenialReason reason, String keyId) {
        return withKey(byReason.get(reason).response(), reason, keyId);
    }

    /** 403 naming the resource and the access the key lacks. */
    CheckReply insufficient(ResourceAccess need, String keyId) {
        return withKey(insufficient[slot(need)], DenialReason.PERMISSION_DENIED, keyId);
    }

    private static CheckReply withKey(CheckResponse base, DenialReason reason, String keyId) {
        return CheckReply.of(base.toBuilder().setDynamicMetadata(DynamicMetadata.denial(reason, keyId)).build());
    }

    private static int slot(ResourceAccess need) {
        return 2 * need.resource().ordinal() + (need.access() == AccessLevel.WRITE ? 1 : 0);
    }

    private static String missingKeyMessage(CheckSettings settings) {
        List<String> ways = new ArrayList<>();
        for (String header : settings.tokenHeaders()) {
            ways.add(CheckSettings.usesBearerScheme(header)
                    ? "in the " + header + " header as 'Bearer <key>'"
                    : "in the " + header + " header");
        }
        return "No API key provided. Send it " + String.join(" or ", ways) + ".";
    }

    private static CheckResponse unauthenticated(DenialReason reason, String message) {
        DeniedHttpResponse denied = DeniedHttpResponse.newBuilder()
                .setStatus(HttpStatus.newBuilder().setCode(StatusCode.Unauthorized))
                .addHeaders(Headers.overwrite(Headers.WWW_AUTHENTICATE, "Bearer"))
                .addHeaders(Headers.overwrite(Headers.CONTENT_TYPE, "application/json"))
                .setBody(JsonError.body(message, "invalid_request_error", "invalid_api_key"))
                .build();
        return response(Code.UNAUTHENTICATED, denied, reason);
    }

    private static CheckResponse unknownRoute(int httpStatus) {
        DeniedHttpResponse denied = DeniedHttpResponse.newBuilder()
                .setStatus(HttpStatus.newBuilder().setCode(StatusCode.forNumber(httpStatus)))
                .addHeaders(Headers.overwrite(Headers.CONTENT_TYPE, "application/json"))
                .setBody(JsonError.body(UNKNOWN_ROUTE_MESSAGE, "invalid_request_error", "unknown_route"))
                .build();
        Code code = httpStatus == 404 ? Code.NOT_FOUND : Code.PERMISSION_DENIED;
        return response(code, denied, DenialReason.UNKNOWN_ROUTE);
    }

    private static CheckResponse insufficient(Resource resource, AccessLevel access) {
        String message = "This API key lacks " + access.name().toLowerCase(Locale.ROOT) + " access to "
                + resource.wireName() + ".";
        DeniedHttpResponse denied = DeniedHttpResponse.newBuilder()
                .setStatus(HttpStatus.newBuilder().setCode(StatusCode.Forbidden))
                .addHeaders(Headers.overwrite(Headers.CONTENT_TYPE, "application/json"))
                .setBody(JsonError.body(message, "permission_error", "insufficient_permissions"))
                .build();
        return response(Code.PERMISSION_DENIED, denied, DenialReason.PERMISSION_DENIED);
    }

    private static CheckResponse response(Code code, DeniedHttpResponse denied, DenialReason reason) {
        return CheckResponse.newBuilder()
                .setStatus(Status.newBuilder().setCode(code.getNumber()))
                .setDeniedResponse(denied)
                .setDynamicMetadata(DynamicMetadata.denial(reason, null))
                .build();
    }
}
