package dev.keymeter.store;

import dev.keymeter.keys.AccessLevel;
import dev.keymeter.keys.ApiKey;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.Limits;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.Permissions;
import dev.keymeter.keys.Resource;
import dev.keymeter.keys.Secret;
import dev.keymeter.keys.TokenFormat;
import dev.keymeter.keys.ResetPeriod;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Keys for store tests: a builder with plain defaults, and the keys the crash test writes. */
final class TestKeys {

    /** Millisecond precision, like every instant the service creates. */
    static final Instant T0 = Instant.parse("2025-03-01T10:15:30.123Z");

    private TestKeys() {
    }

    static Builder key(String id) {
        return new Builder(id);
    }

    /** A current secret whose digest derives from {@code seed}. */
    static Secret secret(String seed) {
        return new Secret(digest(seed), "kms_" + seed.substring(0, Math.min(3, seed.length())) + "…tail", null);
    }

    static Secret graceSecret(String seed, Instant expiresAt) {
        return new Secret(digest(seed), "kms_old…tail", expiresAt);
    }

    static byte[] digest(String seed) {
        return TokenFormat.sha256("token-" + seed);
    }

    /** Inserts the key built at a fresh revision, in its own transaction. */
    static ApiKey insert(KeyStore store, Builder builder) {
        return store.write(w -> {
            ApiKey key = builder.build(w.nextRevision());
            w.insertKey(key);
            return key;
        });
    }

    /** What {@link CreateLoop} writes for {@code index} of a cycle: every field derives from its inputs. */
    static ApiKey durable(String cycle, int index, long revision) {
        String id = durableId(cycle, index);
        return key(id).project("proj-" + cycle).user("user-" + (index % 7))
                .permissions(Permissions.restricted(Map.of(Resource.CHAT_COMPLETIONS, AccessLevel.WRITE,
                        Resource.MODELS, AccessLevel.READ)))
                .limits(new Limits(1_000_000L + index, null, 60L, ResetPeriod.DAILY))
                .createdAt(T0.plusMillis(index))
                .secrets(List.of(secret(id)))
                .build(revision);
    }

    static String durableId(String cycle, int index) {
        return String.format("key_%s_%06d", cycle, index);
    }

    /** A mutable builder: tests state only what they care about. */
    static final class Builder {
        private final String id;
        private String name;
        private KeyKind kind = KeyKind.PROJECT;
        private OwnerType ownerType = OwnerType.SERVICE_ACCOUNT;
        private String ownerUser;
        private String projectId = "proj";
        private KeyStatus status = KeyStatus.ACTIVE;
        private Permissions permissions = Permissions.ALL;
        private Limits limits = Limits.NONE;
        private Instant expiresAt;
        private boolean legacy;
        private String createdBy = "key_creator";
        private Instant createdAt = T0;
        private List<Secret> secrets;

        private Builder(String id) {
            this.id = id;
            this.name = "name-" + id;
            this.secrets = List.of(secret(id));
        }

        Builder name(String value) {
            name = value;
            return this;
        }

        Builder admin() {
            kind = KeyKind.ADMIN;
            projectId = null;
            return this;
        }

        Builder project(String value) {
            kind = KeyKind.PROJECT;
            projectId = value;
            return this;
        }

        Builder user(String value) {
            ownerType = OwnerType.USER;
            ownerUser = value;
            return this;
        }

        Builder status(KeyStatus value) {
            status = value;
            return this;
        }

        Builder permissions(Permissions value) {
            permissions = value;
            return this;
        }

        Builder limits(Limits value) {
            limits = value;
            return this;
        }

        Builder expiresAt(Instant value) {
            expiresAt = value;
            return this;
        }

        Builder legacy(boolean value) {
            legacy = value;
            return this;
        }

        Builder createdBy(String value) {
            createdBy = value;
            return this;
        }

        Builder createdAt(Instant value) {
            createdAt = value;
            return this;
        }

        Builder secrets(List<Secret> value) {
            secrets = value;
            return this;
        }

        ApiKey build(long revision) {
            return new ApiKey(id, name, kind, ownerType, ownerUser, projectId, status, permissions, limits,
                    expiresAt, legacy, createdBy, createdAt, createdAt.plusSeconds(1), revision, secrets);
        }
    }
}
