package dev.keymeter.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * One part of the HTTP listener: it answers every request whose path starts with {@link #prefix()}
 * ({@code HttpFront} picks the longest matching prefix). The mount sends the response; the front
 * closes the exchange afterwards.
 */
public interface HttpMount {

    /** The path prefix served, e.g. {@code "/v1/"} or {@code "/console/"}. */
    String prefix();

    /** Answers one request. An exception escaping here becomes a 500 without details. */
    void handle(HttpExchange exchange) throws IOException;
}
