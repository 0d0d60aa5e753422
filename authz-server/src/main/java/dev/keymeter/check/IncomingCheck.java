package dev.keymeter.check;

import io.envoyproxy.envoy.service.auth.v3.CheckRequest;

/**
 * A Check request as {@link CheckRequestReader} read it off the wire: the request, or why it cannot be
 * decided on (then {@code request} is null and the answer is the 400 of {@code bad}).
 */
record IncomingCheck(CheckRequest request, BadRequest bad) {

    static IncomingCheck of(CheckRequest request) {
        return new IncomingCheck(request, null);
    }

    static IncomingCheck refused(BadRequest bad) {
        return new IncomingCheck(null, bad);
    }
}
