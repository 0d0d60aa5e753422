package dev.keymeter.keys;

/**
 * Organization-wide admin keys, keys scoped to one project, or sidecar credentials.
 *
 * <p>A sidecar credential is a kind of its own rather than a permission preset of admin keys: it is
 * not an admin at all. It follows the replication Watch (every key's secret digests, which no admin
 * preset can read through the admin API) and writes the sidecar reports (last-used times, usage
 * figures), and nothing else: the admin API refuses it, it is never replicated (so it never passes
 * Check), and its permissions and limits are unused. As a key it gets the existing lifecycle for free:
 * created with a token shown once, listed, revoked, rotated, each audited.
 */
public enum KeyKind {
    ADMIN,
    PROJECT,
    SIDECAR
}
