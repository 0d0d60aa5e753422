package dev.keymeter.console;

import java.time.Instant;
import java.util.Objects;

/**
 * One signed-in browser: the admin key it acts with, the CSRF token its scripts send with every
 * change, and the instants that decide when it expires. Immutable; {@link Sessions} replaces it when
 * it is used.
 *
 * @param id the cookie's value: 256 random bits, base64url
 * @param adminKey the token signed in with; never printed ({@link #toString()} leaves it out)
 * @param keyId the id of that key, for the page to show who is signed in
 * @param kind the key's kind as the admin API names it, e.g. {@code KEY_KIND_ADMIN}
 * @param projectId the project of a project key; empty for admin keys
 * @param csrfToken 256 random bits, base64url, sent back in {@code X-CSRF-Token}
 * @param created when sign-in happened: the absolute expiry counts from it
 * @param lastSeen the last request made with it: the idle expiry counts from it
 */
public record Session(String id, String adminKey, String keyId, String kind, String projectId, String csrfToken,
        Instant created, Instant lastSeen) {

    public Session {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(adminKey, "adminKey");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(csrfToken, "csrfToken");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(lastSeen, "lastSeen");
    }

    /** Whether it has expired at {@code now}: idle too long, or signed in too long ago. */
    public boolean expiredAt(Instant now, SessionLimits limits) {
        return !now.isBefore(lastSeen.plus(limits.idle())) || !now.isBefore(created.plus(limits.absolute()));
    }

    /** The same session, used at {@code now}. */
    Session seenAt(Instant now) {
        return new Session(id, adminKey, keyId, kind, projectId, csrfToken, created, now);
    }

    /** Leaves out the admin key, the id and the CSRF token: a session may end up in a log by mistake. */
    @Override
    public String toString() {
        return "Session[keyId=" + keyId + ", kind=" + kind + ", created=" + created + ", lastSeen=" + lastSeen + "]";
    }
}
