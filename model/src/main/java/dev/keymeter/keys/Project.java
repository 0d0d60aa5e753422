package dev.keymeter.keys;

import java.time.Instant;
import java.util.Objects;

/** A project: the scope of project keys. */
public record Project(String id, String displayName, Instant createdAt, String createdBy) {
    public Project {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(createdBy, "createdBy");
    }
}
