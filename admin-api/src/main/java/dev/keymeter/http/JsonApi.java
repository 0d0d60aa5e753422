package dev.keymeter.http;

import com.google.gson.JsonObject;
import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpExchange;
import dev.keymeter.lifecycle.Authenticator;
import io.grpc.Channel;
import io.grpc.Status;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The JSON admin API under {@code /v1/}: finds the route ({@link RouteTable}), fills the request
 * ({@link RequestMessages}), calls gRPC ({@link Transcoder}) and answers JSON, or the JSON error.
 */
public final class JsonApi implements HttpMount {

    public static final String PREFIX = "/v1/";
    /**
     * gRPC metadata carrying the HTTP client's IP to the in-process server, so that refused calls are
     * audited under the client's address (the server trusts it only from the in-process transport).
     */
    public static final String PEER_METADATA = "keymeter-http-peer";

    private final CallerToken callerToken;
    private final Transcoder transcoder;
    private final WhoAmI whoAmI;

    /**
     * @param channel to an in-process server that runs the admin service behind the network server's
     *     interceptors
     * @param authenticator the rule that names a token's key (for whoami)
     * @param callerToken where a request's admin key comes from
     */
    public JsonApi(Channel channel, Authenticator authenticator, CallerToken callerToken) {
        this.callerToken = Objects.requireNonNull(callerToken, "callerToken");
        this.transcoder = new Transcoder(channel);
        this.whoAmI = new WhoAmI(Objects.requireNonNull(authenticator, "authenticator"), transcoder);
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            RouteMatch match = RouteTable.match(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath());
            if (match instanceof RouteMatch.WrongMethod wrong) {
                exchange.getResponseHeaders().set("Allow", String.join(", ", wrong.allowed()));
                throw new HttpRefusal(405, Status.Code.UNIMPLEMENTED.name(), exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getRawPath() + ": method not allowed; allowed: "
                        + String.join(", ", wrong.allowed()));
            }
            if (!(match instanceof RouteMatch.Found found)) {
                throw HttpRefusal.of(Status.Code.NOT_FOUND, "no such path: " + exchange.getRequestURI().getRawPath());
            }
            JsonReplies.send(exchange, 200, answer(exchange, found.route(), found.rawPathParameters()));
        } catch (HttpRefusal refusal) {
            JsonReplies.error(exchange, refusal);
        }
    }

    private String answer(HttpExchange exchange, Route route, Map<String, String> rawPathParameters)
            throws IOException {
        Optional<String> token = callerToken.bearerToken(exchange);
        if (route.rpc() == null) {
            return whoAmI.answer(token, callerToken.trustedUser(exchange), peer(exchange));
        }
        JsonObject body = route.body() ? JsonBody.read(exchange) : new JsonObject();
        Map<String, String> query = QueryString.parse(exchange.getRequestURI().getRawQuery());
        Message request = RequestMessages.build(route, rawPathParameters, query, body);
        return transcoder.callAsJson(route.rpc(), request, token, peer(exchange));
    }

    private static String peer(HttpExchange exchange) {
        return exchange.getRemoteAddress() == null || exchange.getRemoteAddress().getAddress() == null ? null
                : exchange.getRemoteAddress().getAddress().getHostAddress();
    }
}
