package dev.keymeter.keys;

/** Organization-wide admin keys, or keys scoped to one project. */
public enum KeyKind {
    ADMIN,
    PROJECT
}
