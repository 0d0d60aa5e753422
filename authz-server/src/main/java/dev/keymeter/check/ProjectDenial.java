package dev.keymeter.check;

import com.google.rpc.Code;
import com.google.rpc.Status;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;

/**
 * The 403 for a project key whose request names another project in a {@code {project}} path segment.
 * The project is named when it reads as an id (letters, digits, {@code _ - .}, at most 64): it comes
 * from the path, and the body must not become a place to echo arbitrary client text.
 */
final class ProjectDenial {

    private static final int MAX_NAMED = 64;

    private ProjectDenial() {
    }

    static CheckResponse response(String project, String keyId) {
        String named = isId(project) ? "project \"" + project + "\"" : "the project named in the path";
        DeniedHttpResponse denied = DeniedHttpResponse.newBuilder()
                .setStatus(HttpStatus.newBuilder().setCode(StatusCode.Forbidden))
                .addHeaders(Headers.overwrite(Headers.CONTENT_TYPE, "application/json"))
                .setBody(JsonError.body("This API key belongs to another project: it cannot act on " + named + ".",
                        "permission_error", "project_mismatch"))
                .build();
        return CheckResponse.newBuilder()
                .setStatus(Status.newBuilder().setCode(Code.PERMISSION_DENIED.getNumber()))
                .setDeniedResponse(denied)
                .setDynamicMetadata(DynamicMetadata.denial(DenialReason.PROJECT_MISMATCH, keyId))
                .build();
    }

    private static boolean isId(String s) {
        if (s.isEmpty() || s.length() > MAX_NAMED) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }
}
