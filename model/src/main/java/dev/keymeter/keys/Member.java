package dev.keymeter.keys;

import java.time.Instant;
import java.util.Objects;

/**
 * A user's membership of the organization ({@code projectId == null}) or of one project.
 */
public record Member(String user, String projectId, Instant createdAt) {
    public Member {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public boolean isOrganizationMembership() {
        return projectId == null;
    }
}
