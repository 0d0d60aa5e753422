package dev.keymeter.replica;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * The key map's value: which digests a key has and in which snapshot generation it was last
 * written. It is how an upsert finds the digests a key no longer lists, how a delete finds them
 * all, and how the end of a snapshot finds the keys the snapshot did not list.
 *
 * <pre>
 * offset size  field
 *      0    1  format marker {@value #FORMAT}
 *      1    1  number of digests, 1 or 2
 *      2    6  reserved, 0
 *      8    8  snapshot generation, little-endian
 *     16   32  first digest
 *     48   32  second digest (zeros when there is one)
 *     80       end
 * </pre>
 *
 * <p>A record of arrays: its {@code equals} compares the arrays by identity, so compare digests
 * with {@link #lists} instead.
 *
 * @param generation the snapshot generation of the last upsert of this key
 * @param digests    the key's SHA-256 digests, 1 or 2 of 32 bytes each
 */
record KeyDigests(long generation, List<byte[]> digests) {

    static final int DIGEST_BYTES = 32;
    static final int MAX_DIGESTS = 2;
    static final byte FORMAT = 'D';
    static final int BYTES = 16 + MAX_DIGESTS * DIGEST_BYTES;

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    KeyDigests {
        digests = List.copyOf(digests);
        if (digests.isEmpty() || digests.size() > MAX_DIGESTS) {
            throw new IllegalArgumentException("a key holds 1 or 2 digests, not " + digests.size());
        }
    }

    /** This key's digests that {@code next} does not list: the ones an upsert to {@code next} removes. */
    List<byte[]> leaving(List<byte[]> next) {
        return digests.stream().filter(mine -> next.stream().noneMatch(n -> Arrays.equals(n, mine))).toList();
    }

    /** True when this key has {@code digest}. */
    boolean lists(byte[] digest) {
        for (byte[] mine : digests) {
            if (Arrays.equals(mine, digest)) {
                return true;
            }
        }
        return false;
    }

    byte[] encode() {
        byte[] value = new byte[BYTES];
        value[0] = FORMAT;
        value[1] = (byte) digests.size();
        LONGS.set(value, 8, generation);
        for (int i = 0; i < digests.size(); i++) {
            System.arraycopy(digests.get(i), 0, value, 16 + i * DIGEST_BYTES, DIGEST_BYTES);
        }
        return value;
    }

    /** The value's contents, or {@code null} when it is not a valid key-map value. */
    static KeyDigests decode(byte[] value) {
        if (value.length != BYTES || value[0] != FORMAT || value[1] < 1 || value[1] > MAX_DIGESTS) {
            return null;
        }
        byte[][] digests = new byte[value[1]][];
        for (int i = 0; i < digests.length; i++) {
            int from = 16 + i * DIGEST_BYTES;
            digests[i] = Arrays.copyOfRange(value, from, from + DIGEST_BYTES);
        }
        return new KeyDigests((long) LONGS.get(value, 8), List.of(digests));
    }
}
