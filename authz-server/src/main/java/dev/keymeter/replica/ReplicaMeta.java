package dev.keymeter.replica;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * What the replica knows about itself, one immutable value per write.
 *
 * <pre>
 * offset size  field (little-endian)
 *      0    4  magic "KMRM"
 *      4    4  layout version of all three files ({@value #LAYOUT_VERSION})
 *      8    8  sequence: which of the two meta slots is newer
 *     16    8  applied revision
 *     24    8  snapshot generation
 *     32    8  digest capacity the files were created for
 *     40    1  loaded (0 or 1)
 *     41    3  reserved, 0
 *     44    4  the id of the store the applied revision belongs to (0: unknown; files written before
 *              the control plane sent it read 0 here, so the layout version did not change)
 *     48       end
 * </pre>
 *
 * @param sequence        one more than the meta it replaces; picks the newer of the two slots
 * @param appliedRevision the last control-plane revision fully applied
 * @param generation      the current snapshot generation (see {@link KeyDigests})
 * @param capacity        the digest capacity the files were created for
 * @param loaded          whether a snapshot ever completed into these files
 * @param storeId         the control plane store the applied revision belongs to; 0 when unknown
 */
record ReplicaMeta(long sequence, long appliedRevision, long generation, long capacity, boolean loaded,
                   int storeId) {

    /** Bump when any file's layout changes: older files are then rebuilt, never misread. */
    static final int LAYOUT_VERSION = 3; // 3: the owner field holds 128 characters of any UTF-8 (EntryLayout)
    static final int BYTES = 48;
    private static final int MAGIC = 0x4B4D524D; // "KMRM"

    private static final VarHandle INTS =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The meta of new, empty files. */
    static ReplicaMeta fresh(long capacity) {
        return new ReplicaMeta(1, 0, 0, capacity, false, 0);
    }

    /** Which of the two slots this meta is written to: alternate, so the other keeps the last one. */
    int slot() {
        return (int) (sequence & 1);
    }

    ReplicaMeta withApplied(long revision, boolean loaded) {
        return new ReplicaMeta(sequence + 1, revision, generation, capacity, loaded, storeId);
    }

    ReplicaMeta withStore(int newStoreId) {
        return new ReplicaMeta(sequence + 1, appliedRevision, generation, capacity, loaded, newStoreId);
    }

    ReplicaMeta withNextGeneration() {
        return new ReplicaMeta(sequence + 1, appliedRevision, generation + 1, capacity, loaded, storeId);
    }

    byte[] encode() {
        return encode(LAYOUT_VERSION);
    }

    /** For tests that need a meta record of another layout version. */
    byte[] encode(int layoutVersion) {
        byte[] value = new byte[BYTES];
        INTS.set(value, 0, MAGIC);
        INTS.set(value, 4, layoutVersion);
        LONGS.set(value, 8, sequence);
        LONGS.set(value, 16, appliedRevision);
        LONGS.set(value, 24, generation);
        LONGS.set(value, 32, capacity);
        value[40] = (byte) (loaded ? 1 : 0);
        INTS.set(value, 44, storeId);
        return value;
    }

    /** Reads a meta slot; refuses anything but a record of this layout version. */
    static ReplicaMeta decode(byte[] value) throws ReplicaUnusableException {
        if (value.length != BYTES || (int) INTS.get(value, 0) != MAGIC) {
            throw new ReplicaUnusableException("the meta record is not a keymeter replica record", null);
        }
        int version = (int) INTS.get(value, 4);
        if (version != LAYOUT_VERSION) {
            throw new ReplicaUnusableException("the replica files have layout version " + version
                    + "; this build reads version " + LAYOUT_VERSION, null);
        }
        return new ReplicaMeta((long) LONGS.get(value, 8), (long) LONGS.get(value, 16),
                (long) LONGS.get(value, 24), (long) LONGS.get(value, 32), value[40] == 1, (int) INTS.get(value, 44));
    }
}
