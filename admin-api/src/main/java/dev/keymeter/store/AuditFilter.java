package dev.keymeter.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Filters for listing audit records; a {@code null} field matches everything, and they combine with
 * AND. Each has an index ({@code audit_by_target}, {@code audit_by_actor}, {@code audit_by_action}),
 * all ending with the id the listing pages by.
 *
 * @param target     records about this target, e.g. {@code key/key_01…}
 * @param actorKeyId records of calls made with this key id
 * @param action     records of this action, as recorded (e.g. {@code CreateKey})
 */
public record AuditFilter(String target, String actorKeyId, String action) {

    public static final AuditFilter ALL = new AuditFilter(null, null, null);

    /** Only records about {@code target} ({@code null}: every record). */
    public static AuditFilter target(String target) {
        return new AuditFilter(target, null, null);
    }

    /**
     * A short digest of the filters, written into page tokens: a token is refused with other filters,
     * since its position means nothing in another listing and would silently skip or repeat records.
     */
    String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {target, actorKeyId, action}) {
                // A marker byte per field keeps null, "" and field boundaries apart.
                sha.update(part == null ? (byte) 0 : (byte) 1);
                if (part != null) {
                    sha.update(part.getBytes(StandardCharsets.UTF_8));
                    sha.update((byte) 0);
                }
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
