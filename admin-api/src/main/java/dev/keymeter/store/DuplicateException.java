package dev.keymeter.store;

import java.util.Objects;

/**
 * A write was refused because it would duplicate something that must be unique: a key name in its
 * project, a key id, a secret digest, a project id. A rule violation, not a store failure: the
 * admin API answers {@code ALREADY_EXISTS} with this message, which names the thing and never a value.
 */
public class DuplicateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String what;

    /** @param what what is duplicate, e.g. {@code "key name"} */
    public DuplicateException(String what) {
        super(Objects.requireNonNull(what, "what") + " already exists");
        this.what = what;
    }

    /** What is duplicate, e.g. {@code "key name"}, {@code "secret digest"}, {@code "project id"}. */
    public String what() {
        return what;
    }
}
