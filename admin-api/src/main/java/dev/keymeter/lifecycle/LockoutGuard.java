package dev.keymeter.lifecycle;

import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.PermissionPreset;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps at least one key that can manage keymeter: an admin key with preset All that is active and
 * not expired (a <em>managing key</em>). Revoking, disabling, deleting, downgrading or giving an
 * expiry to the last one would lock everyone out of the admin API for good, so such a change is
 * refused with FAILED_PRECONDITION; {@code keymeter admin recover} is the way back if it happens
 * anyway (e.g. the last managing key expired on its own).
 *
 * <p>Race-free: {@link #requireNotLast} first takes the lock that orders key writes
 * ({@link dev.keymeter.store.StoreWriter#lockKeyWrites()}) and only then reads the managing keys. Two
 * transactions that each disable one of the last two managing keys, in this process or in two
 * control planes on one PostgreSQL database, therefore run the check one after the other: the second
 * reads after the first has committed, sees one managing key left, and is refused.
 */
final class LockoutGuard {

    private LockoutGuard() {
    }

    /**
     * Refuses when {@code key} is the last managing key and {@code after} (its state after the
     * change; empty when the change deletes it) no longer manages. {@code verb} says what the change
     * does ("revoking", "disabling", …) for the message. {@code key} may have been read before the
     * lock: its state is read again under it.
     */
    static void requireNotLast(Mutation m, ApiKey key, Optional<ApiKey> after, Instant now, String verb) {
        if (key.kind() != KeyKind.ADMIN) {
            return; // a key's kind never changes: only admin keys manage
        }
        String keyId = key.id();
        m.tx().lockKeyWrites();
        List<ApiKey> managing = m.tx().activeAdminKeys(PermissionPreset.ALL).stream()
                .filter(k -> k.isUsableAt(now)).toList();
        Optional<ApiKey> before = managing.stream().filter(k -> k.id().equals(keyId)).findFirst();
        if (before.isEmpty() || managing.size() > 1 || after.filter(a -> stillManages(before.get(), a, now)).isPresent()) {
            return;
        }
        throw AdminFailure.precondition(keyId + " is the last active admin key with preset All: " + verb
                + " it would leave no key that can manage keymeter; create another admin key with preset All"
                + " first");
    }

    /**
     * True when the changed key still manages. An expiry it did not have, or an earlier one, counts as
     * losing it: the organisation would be locked out when that time comes.
     */
    private static boolean stillManages(ApiKey before, ApiKey after, Instant now) {
        if (after.permissions().preset() != PermissionPreset.ALL || !after.isUsableAt(now)) {
            return false;
        }
        return after.expiresAt() == null
                || (before.expiresAt() != null && !after.expiresAt().isBefore(before.expiresAt()));
    }
}
