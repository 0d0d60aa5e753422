package dev.keymeter.bench;

import dev.keymeter.keys.TokenFormat;
import dev.keymeter.keys.TokenType;
import dev.keymeter.proto.admin.v1.AccessLevel;
import dev.keymeter.proto.admin.v1.KeyKind;
import dev.keymeter.proto.admin.v1.KeyStatus;
import dev.keymeter.proto.admin.v1.OwnerType;
import dev.keymeter.proto.admin.v1.PermissionPreset;
import dev.keymeter.proto.admin.v1.Permissions;
import dev.keymeter.proto.replication.v1.KeyRecord;
import dev.keymeter.proto.replication.v1.SecretDigest;
import dev.keymeter.replica.KeyReplica;
import com.google.protobuf.ByteString;
import java.util.SplittableRandom;

/**
 * N project keys with restricted permissions (chat completions write, models read) loaded into a
 * replica as one snapshot, and an access sequence over them: uniform, or Zipf with s = 1 (a few keys
 * carry most of the traffic, as real gateways see).
 */
final class KeyPopulation {

    final String[] tokens;

    private KeyPopulation(String[] tokens) {
        this.tokens = tokens;
    }

    static KeyPopulation load(KeyReplica replica, int keys) {
        return load(replica, keys, (record, i) -> { });
    }

    /** Like {@link #load(KeyReplica, int)}, with {@code extra} adding to key {@code i}'s record (e.g. limits). */
    static KeyPopulation load(KeyReplica replica, int keys, java.util.function.ObjIntConsumer<KeyRecord.Builder> extra) {
        String[] tokens = new String[keys];
        replica.beginSnapshot(1);
        Permissions restricted = Permissions.newBuilder().setPreset(PermissionPreset.PERMISSION_PRESET_RESTRICTED)
                .putResources("chat_completions", AccessLevel.ACCESS_LEVEL_WRITE)
                .putResources("models", AccessLevel.ACCESS_LEVEL_READ).build();
        for (int i = 0; i < keys; i++) {
            tokens[i] = TokenFormat.generate(TokenType.SERVICE_ACCOUNT);
            KeyRecord.Builder record = KeyRecord.newBuilder()
                    .setKeyId(String.format("key_%020d", i))
                    .setKind(KeyKind.KEY_KIND_PROJECT)
                    .setOwnerType(OwnerType.OWNER_TYPE_SERVICE_ACCOUNT)
                    .setProjectId("project-" + (i % 100))
                    .setStatus(KeyStatus.KEY_STATUS_ACTIVE)
                    .setPermissions(restricted)
                    .addSecrets(SecretDigest.newBuilder().setSha256(ByteString.copyFrom(TokenFormat.sha256(tokens[i]))))
                    .setRevision(1);
            extra.accept(record, i);
            replica.upsert(record.build());
        }
        replica.endSnapshot(1);
        return new KeyPopulation(tokens);
    }

    /** {@code length} key indexes drawn uniformly or by Zipf(s = 1) over a shuffled ranking. */
    int[] accessSequence(String distribution, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = tokens.length;
        int[] sequence = new int[length];
        if (distribution.equals("uniform")) {
            for (int i = 0; i < length; i++) {
                sequence[i] = random.nextInt(n);
            }
            return sequence;
        }
        if (!distribution.equals("zipf")) {
            throw new IllegalArgumentException("access must be uniform or zipf, was " + distribution);
        }
        double[] cumulative = new double[n];
        double sum = 0;
        for (int rank = 0; rank < n; rank++) {
            sum += 1.0 / (rank + 1);
            cumulative[rank] = sum;
        }
        int[] keyOfRank = shuffled(n, random);
        for (int i = 0; i < length; i++) {
            double u = random.nextDouble() * sum;
            int rank = java.util.Arrays.binarySearch(cumulative, u);
            sequence[i] = keyOfRank[rank >= 0 ? rank : -rank - 1];
        }
        return sequence;
    }

    private static int[] shuffled(int n, SplittableRandom random) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
