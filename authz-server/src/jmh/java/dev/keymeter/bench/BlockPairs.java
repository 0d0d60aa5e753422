package dev.keymeter.bench;

import java.util.Arrays;

/**
 * What a key-count comparison measured ({@link KeyCountInterleaved}, {@link KeyCountOverGrpc}): for each
 * pair of blocks, the small key set's median and the large one's, measured one right after the other;
 * and every time of every block, for percentiles. Confined to the thread that measures.
 */
final class BlockPairs {

    private final long[] small;
    private final long[] large;
    private final NanosHistogram smallAll = new NanosHistogram();
    private final NanosHistogram largeAll = new NanosHistogram();
    private int pairs;

    /** @param capacity more pairs than the run can measure */
    BlockPairs(int capacity) {
        small = new long[capacity];
        large = new long[capacity];
    }

    boolean full() {
        return pairs == small.length;
    }

    /** Adds a pair: each block's times sorted, the small key set's first. */
    void add(long[] smallSorted, int smallCount, long[] largeSorted, int largeCount) {
        small[pairs] = smallSorted[smallCount / 2];
        large[pairs] = largeSorted[largeCount / 2];
        smallAll.add(smallSorted, smallCount);
        largeAll.add(largeSorted, largeCount);
        pairs++;
    }

    /**
     * Prints three lines: the medians of the block medians, the median of the per-pair ratios (the
     * steadiest figure on a shared machine: both blocks of a pair ran under the same conditions), and
     * percentiles over every time measured.
     */
    void print(String label, int block, String blockOf, int smallKeys, int largeKeys) {
        long[] s = Arrays.copyOf(small, pairs);
        long[] l = Arrays.copyOf(large, pairs);
        double[] r = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            r[i] = (double) large[i] / small[i];
        }
        Arrays.sort(s);
        Arrays.sort(l);
        Arrays.sort(r);
        System.out.printf("%s: %d block pairs of %,d %s; median of block medians: %,d keys %d ns, %,d keys %d ns%n",
                label, pairs, block, blockOf, smallKeys, s[pairs / 2], largeKeys, l[pairs / 2]);
        System.out.printf("ratio %,d/%,d keys (median of per-pair ratios): %.2f  (p25 %.2f, p75 %.2f)%n",
                largeKeys, smallKeys, r[pairs / 2], r[pairs / 4], r[3 * pairs / 4]);
        System.out.printf("all %s, %,d/%,d keys (ns):%s%n", blockOf, smallKeys, largeKeys,
                NanosHistogram.sideBySide(smallAll, largeAll, 10, 30, 40, 50, 70, 90));
    }
}
