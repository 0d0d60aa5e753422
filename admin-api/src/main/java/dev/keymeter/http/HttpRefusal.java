package dev.keymeter.http;

import io.grpc.Status;
import java.util.Objects;

/**
 * A request answered with an error: its HTTP status, the gRPC status name the JSON body carries and a
 * message written to be shown (it names the input at fault and never holds a secret). Not an error
 * of the server, so it carries no stack trace.
 */
public final class HttpRefusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final String grpcStatus;

    public HttpRefusal(int httpStatus, String grpcStatus, String message) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        this.httpStatus = httpStatus;
        this.grpcStatus = Objects.requireNonNull(grpcStatus, "grpcStatus");
    }

    /** The refusal gRPC would give as {@code code}, with its usual HTTP status. */
    public static HttpRefusal of(Status.Code code, String message) {
        return new HttpRefusal(StatusMapping.httpStatus(code), code.name(), message);
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String grpcStatus() {
        return grpcStatus;
    }
}
