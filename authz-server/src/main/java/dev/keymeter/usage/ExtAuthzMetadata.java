package dev.keymeter.usage;

/**
 * The contract between Check and usage settlement: where Envoy keeps {@code CheckResponse.dynamic_metadata}
 * and the field names Check writes there. Check ({@code dev.keymeter.check.DynamicMetadata}) writes
 * them; the access-log stream reads them back from {@code common_properties.metadata} (design §4).
 */
public final class ExtAuthzMetadata {

    /** Envoy's namespace for ext_authz dynamic metadata. */
    public static final String NAMESPACE = "envoy.filters.http.ext_authz";
    /** The key that made the request. */
    public static final String KEY_ID = "key_id";
    /** Project keys only: an admin key acts on every project, so its entry has no project. */
    public static final String PROJECT_ID = "project_id";
    /** Allowed requests with a reservation: its id, which the usage settlement names. */
    public static final String RESERVATION_ID = "reservation_id";
    /** The model the request body named, when Check read one: prices usage reported without a cost. */
    public static final String MODEL = "model";
    /** Denials only: why Check refused (a fixed set of labels). */
    public static final String DENIAL_REASON = "denial_reason";

    private ExtAuthzMetadata() {
    }
}
