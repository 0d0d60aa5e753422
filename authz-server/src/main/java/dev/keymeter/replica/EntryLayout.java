package dev.keymeter.replica;

import dev.keymeter.chronicle.KeyIdBytes;
import dev.keymeter.keys.KeyKind;
import dev.keymeter.keys.KeyStatus;
import dev.keymeter.keys.OwnerType;
import dev.keymeter.keys.PermissionPreset;
import dev.keymeter.keys.LimitBound;
import dev.keymeter.keys.ResetPeriod;
import dev.keymeter.keys.TextBound;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The digest map's value: one {@link ReplicaEntry} in {@value #BYTES} bytes, the same for every
 * entry (design §5: constant-size keys and values).
 *
 * <pre>
 * offset size  field
 *      0    1  format marker {@value #FORMAT}: a zeroed or foreign record is never read as a key
 *      1    1  status          enums are ordinal + 1, so that 0 is never a valid value and a
 *      2    1  kind            record of zeros cannot read as ACTIVE / ALL
 *      3    1  owner type
 *      4    1  permission preset
 *      5    1  reset period
 *      6    1  legacy (0 or 1)
 *      7    1  reserved, 0
 *      8    8  restricted levels (ReplicaEntry.levelBits)      all longs little-endian
 *     16    8  cost limit, micro-USD (-1: none)
 *     24    8  token limit (-1: none)
 *     32    8  requests per minute (-1: none)
 *     40    8  key expiry, epoch millis (Long.MAX_VALUE: never)
 *     48    8  this secret's grace expiry, epoch millis (Long.MAX_VALUE: current secret)
 *     56    8  revision of the key's last change
 *     64   25  key id:     length byte + 24 ASCII
 *     89   64  project id: length byte + 63 ASCII (length 0: none)
 *    153  514  owner user: 2 length bytes + 512 bytes UTF-8 (length 0: none)         (layout 3)
 *    667    8  usage epoch: the last usage reset, epoch millis (0: never)           (layout 2)
 *    675       end
 * </pre>
 *
 * <p>The text fields are sized by {@link TextBound}, the bounds the admin API validates against:
 * the owner's 128 characters take up to 512 bytes of UTF-8 (layout 2 had 128 bytes, so a
 * non-ASCII owner the admin API accepted could not be held and the key was dropped).
 *
 * <p>A change of this layout is a new {@link ReplicaMeta#LAYOUT_VERSION}: old files are then
 * rebuilt from the control plane, never read with the new layout.
 */
final class EntryLayout {

    static final byte FORMAT = 'K';
    static final int KEY_ID_AT = 64;
    static final int MAX_PROJECT_ID_BYTES = TextBound.PROJECT_ID.maxUtf8Bytes();
    static final int MAX_OWNER_USER_BYTES = TextBound.USER.maxUtf8Bytes();
    private static final int PROJECT_ID_AT = KEY_ID_AT + FixedText.fieldBytes(KeyIdBytes.MAX_CHARS);
    static final int OWNER_USER_AT = PROJECT_ID_AT + FixedText.fieldBytes(MAX_PROJECT_ID_BYTES);
    private static final int USAGE_EPOCH_AT = OWNER_USER_AT + FixedText.fieldBytes(MAX_OWNER_USER_BYTES);
    static final int BYTES = USAGE_EPOCH_AT + 8;

    private static final int STATUS_AT = 1;
    private static final int KIND_AT = 2;
    private static final int OWNER_TYPE_AT = 3;
    private static final int PRESET_AT = 4;
    private static final int RESET_PERIOD_AT = 5;
    private static final int LEGACY_AT = 6;
    private static final int LEVELS_AT = 8;
    private static final int COST_AT = 16;
    private static final int TOKENS_AT = 24;
    private static final int REQUESTS_AT = 32;
    private static final int KEY_EXPIRES_AT = 40;
    private static final int SECRET_EXPIRES_AT = 48;
    private static final int REVISION_AT = 56;

    // values() clones its array on every call: keep one copy of each for the lookup path.
    private static final KeyStatus[] STATUSES = KeyStatus.values();
    private static final KeyKind[] KINDS = KeyKind.values();
    private static final OwnerType[] OWNER_TYPES = OwnerType.values();
    private static final PermissionPreset[] PRESETS = PermissionPreset.values();
    private static final ResetPeriod[] RESET_PERIODS = ResetPeriod.values();

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private EntryLayout() {}

    /** The record for {@code entry}; its text fields must fit (see {@link KeyRecords}). */
    static byte[] encode(ReplicaEntry entry) {
        byte[] record = new byte[BYTES];
        record[0] = FORMAT;
        record[STATUS_AT] = (byte) (entry.status.ordinal() + 1);
        record[KIND_AT] = (byte) (entry.kind.ordinal() + 1);
        record[OWNER_TYPE_AT] = (byte) (entry.ownerType.ordinal() + 1);
        record[PRESET_AT] = (byte) (entry.preset.ordinal() + 1);
        record[RESET_PERIOD_AT] = (byte) (entry.resetPeriod.ordinal() + 1);
        record[LEGACY_AT] = (byte) (entry.legacy ? 1 : 0);
        LONGS.set(record, LEVELS_AT, entry.levelBits);
        LONGS.set(record, COST_AT, entry.costLimitMicroUsd);
        LONGS.set(record, TOKENS_AT, entry.tokenLimit);
        LONGS.set(record, REQUESTS_AT, entry.requestsPerMinute);
        LONGS.set(record, KEY_EXPIRES_AT, entry.keyExpiresAtMillis);
        LONGS.set(record, SECRET_EXPIRES_AT, entry.secretExpiresAtMillis);
        LONGS.set(record, REVISION_AT, entry.revision);
        LONGS.set(record, USAGE_EPOCH_AT, entry.usageEpoch);
        FixedText.write(record, KEY_ID_AT, KeyIdBytes.MAX_CHARS, entry.keyId);
        FixedText.write(record, PROJECT_ID_AT, MAX_PROJECT_ID_BYTES, entry.projectId);
        FixedText.write(record, OWNER_USER_AT, MAX_OWNER_USER_BYTES, entry.ownerUser);
        return record;
    }

    /** Sets the one field that differs between the digests of one key. */
    static void setSecretExpiry(byte[] record, long expiresAtMillis) {
        LONGS.set(record, SECRET_EXPIRES_AT, expiresAtMillis);
    }

    /**
     * Fills {@code into} from {@code record}; false, with {@code into} partly filled, when the
     * record is not a valid entry (fail closed: the caller treats it as no key).
     */
    static boolean decode(byte[] record, ReplicaEntry into) {
        into.memo = null; // read from the store, not from a cached copy: nothing shared to remember in
        into.memoHint = null;
        if (!valid(record)) {
            return false;
        }
        into.status = STATUSES[record[STATUS_AT] - 1];
        into.kind = KINDS[record[KIND_AT] - 1];
        into.ownerType = OWNER_TYPES[record[OWNER_TYPE_AT] - 1];
        into.preset = PRESETS[record[PRESET_AT] - 1];
        into.resetPeriod = RESET_PERIODS[record[RESET_PERIOD_AT] - 1];
        into.legacy = record[LEGACY_AT] == 1;
        into.levelBits = (long) LONGS.get(record, LEVELS_AT);
        // Saturated again here for files an older version wrote before limits had bounds (HeldLimits).
        into.costLimitMicroUsd = HeldLimits.held((long) LONGS.get(record, COST_AT), LimitBound.COST_MICRO_USD);
        into.tokenLimit = HeldLimits.held((long) LONGS.get(record, TOKENS_AT), LimitBound.TOKENS);
        into.requestsPerMinute = HeldLimits.held((long) LONGS.get(record, REQUESTS_AT), LimitBound.REQUESTS_PER_MINUTE);
        into.keyExpiresAtMillis = (long) LONGS.get(record, KEY_EXPIRES_AT);
        into.secretExpiresAtMillis = (long) LONGS.get(record, SECRET_EXPIRES_AT);
        into.revision = (long) LONGS.get(record, REVISION_AT);
        into.usageEpoch = (long) LONGS.get(record, USAGE_EPOCH_AT);
        into.keyId = FixedText.read(record, KEY_ID_AT, KeyIdBytes.MAX_CHARS, into.keyId);
        into.projectId = FixedText.read(record, PROJECT_ID_AT, MAX_PROJECT_ID_BYTES, into.projectId);
        into.ownerUser = FixedText.read(record, OWNER_USER_AT, MAX_OWNER_USER_BYTES, into.ownerUser);
        return true;
    }

    /** True when every enum and text field of {@code record} is in range and it names a key. */
    static boolean valid(byte[] record) {
        return record.length == BYTES
                && record[0] == FORMAT
                && inRange(record[STATUS_AT], STATUSES.length)
                && inRange(record[KIND_AT], KINDS.length)
                && inRange(record[OWNER_TYPE_AT], OWNER_TYPES.length)
                && inRange(record[PRESET_AT], PRESETS.length)
                && inRange(record[RESET_PERIOD_AT], RESET_PERIODS.length)
                && levelsValid((long) LONGS.get(record, LEVELS_AT))
                && record[KEY_ID_AT] != 0
                && FixedText.valid(record, KEY_ID_AT, KeyIdBytes.MAX_CHARS)
                && FixedText.valid(record, PROJECT_ID_AT, MAX_PROJECT_ID_BYTES)
                && FixedText.valid(record, OWNER_USER_AT, MAX_OWNER_USER_BYTES);
    }

    /** The key map's key of the key this (valid) record belongs to. */
    static byte[] keyMapKey(byte[] record) {
        byte[] key = new byte[KeyIdBytes.MAX_CHARS];
        System.arraycopy(record, KEY_ID_AT + 1, key, 0, record[KEY_ID_AT]);
        return key;
    }

    /** No resource at level 3: ReplicaEntry.levelOf knows only 0 (none), 1 (read), 2 (write). */
    private static boolean levelsValid(long levelBits) {
        return (levelBits & (levelBits >>> 1) & 0x5555_5555_5555_5555L) == 0;
    }

    private static boolean inRange(byte stored, int values) {
        return stored >= 1 && stored <= values;
    }
}
