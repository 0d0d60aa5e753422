package dev.keymeter.keys;

/** The lifecycle state of a key. Only {@link #ACTIVE} keys authenticate. */
public enum KeyStatus {
    ACTIVE,
    /** Refused until enabled again. */
    DISABLED,
    /** Refused forever: no transition leaves this state. */
    REVOKED
}
