package dev.keymeter.lifecycle;

import dev.keymeter.audit.AuditAction;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.Permissions;
import dev.keymeter.keys.Project;
import dev.keymeter.store.Page;
import java.time.Instant;
import java.util.Objects;

/** Projects: creating one issues its first key; deleting one revokes its keys. */
public final class Projects {

    /** The name of the key every new project gets. */
    public static final String FIRST_KEY_NAME = "default";

    private final AuditedStore audited;
    private final KeyCreation creation;

    public Projects(AuditedStore audited, KeyCreation creation) {
        this.audited = Objects.requireNonNull(audited, "audited");
        this.creation = Objects.requireNonNull(creation, "creation");
    }

    /** The new project and its first key: a service-account project key with preset All. */
    public record Created(Project project, IssuedKey firstKey) {
    }

    public Created create(Caller caller, String projectId, String displayName) {
        return audited.mutate(caller.keyId(), AuditAction.CREATE_PROJECT, "project/" + projectId, m -> {
            caller.requireAdminWrite();
            if (m.tx().findProject(projectId).isPresent()) {
                throw AdminFailure.alreadyExists("project_id: project " + projectId + " already exists");
            }
            Project project = new Project(projectId, displayName, audited.now(), caller.keyId());
            m.tx().insertProject(project);
            m.nextRevision();
            m.change("display_name", displayName);
            IssuedKey first = creation.issue(m, caller.keyId(), new NewKey(FIRST_KEY_NAME, KeyKind.PROJECT, projectId,
                    OwnerType.SERVICE_ACCOUNT, null, Permissions.ALL, Limits.NONE, null));
            m.target("project/" + projectId).change("first_key_id", first.key().id());
            return new Created(project, first);
        });
    }

    public Project get(Caller caller, String projectId) {
        caller.requireAdminRead(Caller.PROJECTS);
        return audited.store().read(r -> r.findProject(projectId))
                .orElseThrow(() -> AdminFailure.notFound("project " + projectId));
    }

    public Page<Project> list(Caller caller, int pageSize, String pageToken) {
        caller.requireAdminRead(Caller.PROJECTS);
        return audited.store().read(r -> r.listProjects(pageSize, pageToken));
    }

    /** Deletes the project and its memberships; its keys are revoked and stay listable. */
    public int delete(Caller caller, String projectId) {
        return audited.mutate(caller.keyId(), AuditAction.DELETE_PROJECT, "project/" + projectId, m -> {
            caller.requireAdminWrite();
            if (m.tx().findProject(projectId).isEmpty()) {
                throw AdminFailure.notFound("project " + projectId);
            }
            Instant now = audited.now();
            int revoked = 0;
            for (ApiKey key : m.tx().keysInProject(projectId)) {
                if (KeyChanges.revokeWithin(m, key, now)) {
                    revoked++;
                }
            }
            m.tx().deleteProject(projectId);
            m.nextRevision();
            m.change("deleted", true).change("revoked_keys", revoked);
            return revoked;
        });
    }
}
