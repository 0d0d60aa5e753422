package dev.keymeter.lifecycle;

import dev.keymeter.audit.AuditAction;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.Member;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Organization and project membership. Removing a user revokes their keys in the scope they leave,
 * in the same transaction: there is no moment in which a removed user's key still works.
 */
public final class Members {

    private final AuditedStore audited;

    public Members(AuditedStore audited) {
        this.audited = Objects.requireNonNull(audited, "audited");
    }

    /** Adds {@code user} to the organization, and to {@code projectId} when it is not {@code null}. */
    public Member add(Caller caller, String user, String projectId) {
        return audited.mutate(caller.keyId(), AuditAction.ADD_MEMBER, target(user, projectId), m -> {
            caller.requireAdminWrite();
            if (projectId != null && m.tx().findProject(projectId).isEmpty()) {
                throw AdminFailure.notFound("project " + projectId);
            }
            Instant now = audited.now();
            m.tx().addMember(new Member(user, null, now));
            Member member = new Member(user, projectId, now);
            if (projectId != null) {
                m.tx().addMember(member);
            }
            m.nextRevision();
            m.change("member", projectId == null ? "organization" : "project " + projectId);
            return member;
        });
    }

    /**
     * Removes {@code user} from {@code projectId}, or from the organization and every project when
     * it is {@code null}, and revokes the user's keys in that scope. Returns the revoked key ids.
     */
    public List<String> remove(Caller caller, String user, String projectId) {
        return audited.mutate(caller.keyId(), AuditAction.REMOVE_MEMBER, target(user, projectId), m -> {
            caller.requireAdminWrite();
            if (!m.tx().isMember(user, projectId)) {
                throw AdminFailure.notFound("member " + user + " of "
                        + (projectId == null ? "the organization" : "project " + projectId));
            }
            if (projectId == null) {
                for (String project : m.tx().projectsOf(user)) {
                    m.tx().removeMember(user, project);
                }
            }
            m.tx().removeMember(user, projectId);
            m.nextRevision();
            Instant now = audited.now();
            List<String> revoked = new ArrayList<>();
            for (ApiKey key : m.tx().keysOwnedBy(user, projectId)) {
                if (key.status() != KeyStatus.REVOKED && KeyChanges.revokeWithin(m, key, now)) {
                    revoked.add(key.id());
                }
            }
            m.change("removed", projectId == null ? "organization" : "project " + projectId)
                    .change("revoked_keys", String.join(",", revoked));
            return revoked;
        });
    }

    public List<Member> list(Caller caller, String projectId) {
        caller.requireAdminRead(Caller.KEYS_AND_MEMBERS);
        return audited.store().read(r -> {
            if (projectId != null && r.findProject(projectId).isEmpty()) {
                throw AdminFailure.notFound("project " + projectId);
            }
            return r.listMembers(projectId);
        });
    }

    private static String target(String user, String projectId) {
        return projectId == null ? "member/" + user : "project/" + projectId + "/member/" + user;
    }
}
