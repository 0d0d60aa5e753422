-- keymeter store on SQLite, schema version 1 (applied by Flyway; see Migrations).
-- Times are epoch milliseconds (INTEGER). Enums are stored by name.

CREATE TABLE projects (
    id           TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL
);

CREATE INDEX projects_by_created ON projects (created_at, id);

-- project_id NULL: a membership of the organization. Deleting a project removes its memberships.
CREATE TABLE members (
    user_name  TEXT NOT NULL,
    project_id TEXT REFERENCES projects (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);

-- SQLite treats NULLs as distinct in a unique index; COALESCE makes organization memberships unique too.
CREATE UNIQUE INDEX members_by_user ON members (user_name, COALESCE(project_id, ''));
CREATE INDEX members_by_project ON members (COALESCE(project_id, ''), user_name);

-- project_id NULL: an admin key. No foreign key to projects: a deleted project's revoked keys stay listable.
CREATE TABLE keys (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    owner_type           TEXT NOT NULL,
    owner_user           TEXT,
    project_id           TEXT,
    status               TEXT NOT NULL,
    preset               TEXT NOT NULL,
    levels               TEXT NOT NULL, -- JSON object: resource wire name -> access level name
    cost_limit_micro_usd INTEGER,
    token_limit          INTEGER,
    requests_per_minute  INTEGER,
    reset_period         TEXT NOT NULL,
    expires_at           INTEGER,
    legacy               INTEGER NOT NULL,
    created_by           TEXT,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    revision             INTEGER NOT NULL
);

-- Names are unique per project and, through COALESCE (NULLs are distinct in unique indexes), among admin keys.
CREATE UNIQUE INDEX keys_by_project_name ON keys (COALESCE(project_id, ''), name);
CREATE INDEX keys_by_created ON keys (created_at DESC, id DESC);
CREATE INDEX keys_by_project ON keys (project_id, created_at DESC, id DESC);
CREATE INDEX keys_by_owner ON keys (owner_user, project_id);

-- slot keeps the caller's order of secrets with the same expiry state.
CREATE TABLE secrets (
    sha256        BLOB PRIMARY KEY CHECK (length(sha256) = 32),
    key_id        TEXT NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
    slot          INTEGER NOT NULL,
    display_token TEXT NOT NULL,
    expires_at    INTEGER
);

CREATE INDEX secrets_by_key ON secrets (key_id, slot);

CREATE TABLE audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    time         INTEGER NOT NULL,
    actor_key_id TEXT NOT NULL,
    action       TEXT NOT NULL,
    target       TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    changes      TEXT NOT NULL, -- JSON object: field -> new value, never a secret
    revision     INTEGER NOT NULL
);

CREATE INDEX audit_by_target ON audit (target, id);

-- The change log replication serves: one row per key write, at the revision the write took.
CREATE TABLE key_changes (
    revision INTEGER PRIMARY KEY,
    key_id   TEXT NOT NULL,
    deleted  INTEGER NOT NULL
);

-- revision: the highest revision allocated. changes_floor: key_changes is complete above it.
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

INSERT INTO meta (name, value) VALUES ('revision', 0), ('changes_floor', 0);
