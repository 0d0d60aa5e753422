package dev.keymeter.check;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.keymeter.usage.ExtAuthzMetadata;

/**
 * The fields of {@code CheckResponse.dynamic_metadata} (names in {@link ExtAuthzMetadata}). Envoy stores them under
 * {@code envoy.filters.http.ext_authz} for allowed and denied requests alike, and its gRPC access log
 * copies them into {@code common_properties.metadata}: that is how usage reported after the response
 * finds its key (design §4).
 */
final class DynamicMetadata {

    static final String KEY_ID = ExtAuthzMetadata.KEY_ID;
    static final String PROJECT_ID = ExtAuthzMetadata.PROJECT_ID;
    static final String RESERVATION_ID = ExtAuthzMetadata.RESERVATION_ID;
    static final String MODEL = ExtAuthzMetadata.MODEL;
    static final String DENIAL_REASON = ExtAuthzMetadata.DENIAL_REASON;

    private DynamicMetadata() {
    }

    static Struct denial(DenialReason reason, String keyId) {
        Struct.Builder b = Struct.newBuilder().putFields(DENIAL_REASON, text(reason.label()));
        if (keyId != null) {
            b.putFields(KEY_ID, text(keyId));
        }
        return b.build();
    }

    static Struct allowed(String keyId, String projectId) {
        Struct.Builder b = Struct.newBuilder().putFields(KEY_ID, text(keyId));
        if (projectId != null) {
            b.putFields(PROJECT_ID, text(projectId));
        }
        return b.build();
    }

    static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }
}
