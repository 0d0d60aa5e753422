package dev.keymeter.metrics;

import java.util.Objects;

/**
 * What {@code /readyz} answers: 200 or 503, and lines of detail after {@code ready} / {@code not ready}
 * (for the sidecar: whether the replica has loaded and how old it is). Immutable.
 *
 * @param ready  200 when true, else 503
 * @param detail lines of {@code name: value}, each ending in a newline; empty for none. Never a secret.
 */
public record Readiness(boolean ready, String detail) {

    public Readiness {
        Objects.requireNonNull(detail, "detail");
    }

    /** The response body. */
    public String body() {
        return (ready ? "ready\n" : "not ready\n") + detail;
    }
}
