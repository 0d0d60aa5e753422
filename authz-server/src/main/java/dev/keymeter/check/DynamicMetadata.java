package dev.keymeter.check;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;

/**
 * The fields of {@code CheckResponse.dynamic_metadata}. Envoy stores them under
 * {@code envoy.filters.http.ext_authz} for allowed and denied requests alike, and its gRPC access log
 * copies them into {@code common_properties.metadata}: that is how usage reported after the response
 * finds its key (design §4).
 */
final class DynamicMetadata {

    static final String KEY_ID = "key_id";
    /** Project keys only: an admin key acts on every project, so its entry has no project. */
    static final String PROJECT_ID = "project_id";
    /** Allowed requests with a reservation: its id, which the usage settlement names. */
    static final String RESERVATION_ID = "reservation_id";
    /** The model the request body named, when Check read one: prices usage reported without a cost. */
    static final String MODEL = "model";
    /** Denials only: {@link DenialReason#label()}. */
    static final String DENIAL_REASON = "denial_reason";

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
