package dev.keymeter.keys;

/** Who owns a key; fixed at creation. */
public enum OwnerType {
    /** Belongs to a user; revoked automatically when the user leaves the organization or project. */
    USER,
    /** Belongs to no user; only admin keys may create one. */
    SERVICE_ACCOUNT
}
