package dev.keymeter.admin;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The deprecation warning for an admin key used as a sidecar's credential: one line per key id and
 * process (a sidecar reconnects and reports every few seconds; the line is for the operator, not a
 * flood). Remembers at most {@value #MAX_KEYS} key ids, then stops warning about new ones. Names the
 * key id only. Thread-safe.
 */
final class AdminKeyForSidecarWarning {

    private static final Logger LOG = System.getLogger("keymeter.admin");
    static final int MAX_KEYS = 1_000;

    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    void warnOnce(String keyId) {
        if (warned.size() < MAX_KEYS && warned.add(keyId)) {
            LOG.log(Level.WARNING, "admin key " + keyId + " is used as a sidecar credential (Watch, sidecar "
                    + "reports): deprecated; create one with 'keymeter sidecars create NAME' and pass it as "
                    + "--control-plane-key");
        }
    }
}
