package dev.keymeter.http;

import dev.keymeter.proto.admin.v1.AdminServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every route of the JSON API, as docs/http-api.md and {@code /openapi.json} list them (a test holds
 * the three together). Immutable.
 */
final class RouteTable {

    static final String WHOAMI = "/v1/whoami";

    private static final List<Route> ROUTES = List.of(
            Route.of("POST", "/v1/projects", AdminServiceGrpc.getCreateProjectMethod(), true),
            Route.of("GET", "/v1/projects", AdminServiceGrpc.getListProjectsMethod(), false),
            Route.of("GET", "/v1/projects/{projectId}", AdminServiceGrpc.getGetProjectMethod(), false),
            Route.of("DELETE", "/v1/projects/{projectId}", AdminServiceGrpc.getDeleteProjectMethod(), false),
            Route.of("POST", "/v1/projects/{projectId}/members", AdminServiceGrpc.getAddMemberMethod(), true),
            Route.of("GET", "/v1/projects/{projectId}/members", AdminServiceGrpc.getListMembersMethod(), false),
            Route.of("DELETE", "/v1/projects/{projectId}/members/{user}", AdminServiceGrpc.getRemoveMemberMethod(),
                    false),
            Route.of("POST", "/v1/keys", AdminServiceGrpc.getCreateKeyMethod(), true),
            Route.of("GET", "/v1/keys", AdminServiceGrpc.getListKeysMethod(), false),
            Route.of("GET", "/v1/keys/{keyId}", AdminServiceGrpc.getGetKeyMethod(), false),
            Route.of("PATCH", "/v1/keys/{keyId}", AdminServiceGrpc.getUpdateKeyMethod(), true),
            Route.of("DELETE", "/v1/keys/{keyId}", AdminServiceGrpc.getDeleteKeyMethod(), false),
            Route.of("POST", "/v1/keys/{keyId}:duplicate", AdminServiceGrpc.getDuplicateKeyMethod(), true),
            Route.of("POST", "/v1/keys/{keyId}:rotate", AdminServiceGrpc.getRotateKeyMethod(), true),
            Route.of("POST", "/v1/keys/{keyId}:disable", AdminServiceGrpc.getDisableKeyMethod(), true),
            Route.of("POST", "/v1/keys/{keyId}:enable", AdminServiceGrpc.getEnableKeyMethod(), true),
            Route.of("POST", "/v1/keys/{keyId}:revoke", AdminServiceGrpc.getRevokeKeyMethod(), true),
            Route.of("POST", "/v1/keys:importLegacy", AdminServiceGrpc.getImportLegacyKeyMethod(), true),
            Route.of("GET", "/v1/keys/{keyId}/usage", AdminServiceGrpc.getGetKeyUsageMethod(), false),
            Route.of("POST", "/v1/keys/{keyId}/usage:reset", AdminServiceGrpc.getResetKeyUsageMethod(), true),
            Route.of("GET", "/v1/audit-records", AdminServiceGrpc.getListAuditRecordsMethod(), false),
            Route.of("GET", "/v1/replication-status", AdminServiceGrpc.getGetReplicationStatusMethod(), false),
            Route.of("GET", WHOAMI, null, false));

    private RouteTable() {
    }

    static List<Route> routes() {
        return ROUTES;
    }

    static RouteMatch match(String method, String rawPath) {
        List<String> allowed = new ArrayList<>();
        for (Route route : ROUTES) {
            Optional<Map<String, String>> parameters = route.match(rawPath);
            if (parameters.isEmpty()) {
                continue;
            }
            if (route.method().equals(method)) {
                return new RouteMatch.Found(route, parameters.get());
            }
            allowed.add(route.method());
        }
        return allowed.isEmpty() ? new RouteMatch.NotFound() : new RouteMatch.WrongMethod(List.copyOf(allowed));
    }
}
