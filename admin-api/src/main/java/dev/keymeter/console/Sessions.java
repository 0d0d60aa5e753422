package dev.keymeter.console;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's signed-in sessions, in memory only: a restart signs everyone out, and the admin keys
 * they hold never reach a disk. Ids and CSRF tokens are 256 bits from {@link SecureRandom}.
 * Expired sessions are dropped when they are looked up and when the map is full.
 */
public final class Sessions {

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final SessionLimits limits;

    public Sessions(Clock clock, SessionLimits limits) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public SessionLimits limits() {
        return limits;
    }

    /** A new session for a key that has just been accepted. */
    public Session open(String adminKey, String keyId, String kind, String projectId) {
        Instant now = clock.instant();
        makeRoom(now);
        Session session = new Session(randomToken(), adminKey, keyId, kind, projectId, randomToken(), now, now);
        byId.put(session.id(), session);
        return session;
    }

    /** The live session with this id, marked as used now; empty when unknown or expired (then dropped). */
    public Optional<Session> use(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Session found = byId.get(id);
        if (found == null) {
            return Optional.empty();
        }
        if (found.expiredAt(now, limits)) {
            byId.remove(id, found);
            return Optional.empty();
        }
        Session seen = found.seenAt(now);
        byId.replace(id, found, seen); // a concurrent sign-out wins: replace only what was read
        return Optional.of(seen);
    }

    /** Ends a session (sign-out). */
    public void close(String id) {
        if (id != null) {
            byId.remove(id);
        }
    }

    /** How many sessions are held, expired ones included until they are next looked at. */
    public int size() {
        return byId.size();
    }

    private void makeRoom(Instant now) {
        if (byId.size() < limits.maxSessions()) {
            return;
        }
        byId.values().removeIf(s -> s.expiredAt(now, limits));
        while (byId.size() >= limits.maxSessions()) {
            byId.values().stream().min(Comparator.comparing(Session::lastSeen))
                    .ifPresent(oldest -> byId.remove(oldest.id(), oldest));
        }
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return BASE64URL.encodeToString(bytes);
    }
}
