package dev.keymeter.check;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;

/**
 * The names Check writes, and the one way it writes a header. Envoy appends by default (design §4):
 * every header we set replaces any copy the client sent.
 */
final class Headers {

    static final String KEY_ID = "x-keymeter-key-id";
    static final String PROJECT_ID = "x-keymeter-project-id";
    static final String KEY_KIND = "x-keymeter-key-kind";
    static final String OWNER = "x-keymeter-owner";
    static final String CONTENT_TYPE = "content-type";
    static final String WWW_AUTHENTICATE = "www-authenticate";

    private Headers() {
    }

    static HeaderValueOption overwrite(String name, String value) {
        return HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
                .setAppendAction(HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
                .build();
    }
}
