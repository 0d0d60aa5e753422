package dev.keymeter.keys;

/** Access to one resource. Ordered: each level includes the ones before it. */
public enum AccessLevel {
    NONE,
    READ,
    /** Includes {@link #READ}. */
    WRITE;

    /** True when this level grants {@code wanted} (write includes read; anything includes none). */
    public boolean grants(AccessLevel wanted) {
        return compareTo(wanted) >= 0;
    }
}
