package dev.keymeter.bench;

/**
 * Every measured time of a run in 10 ns buckets (the last one holds everything from 40 µs up), for
 * percentiles over the whole run: the block medians alone hide how the times are spread. Confined to
 * the thread that fills it.
 */
final class NanosHistogram {

    private static final int BUCKET_NANOS = 10;
    private final long[] counts = new long[4_000];
    private long total;

    /** Adds the first {@code n} of {@code times} (ns). */
    void add(long[] times, int n) {
        for (int i = 0; i < n; i++) {
            counts[(int) Math.min(counts.length - 1, Math.max(0, times[i]) / BUCKET_NANOS)]++;
        }
        total += n;
    }

    /** The lower edge of the bucket holding the {@code p}th percentile (ns). */
    long percentile(int p) {
        long rank = total * p / 100;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen > rank) {
                return (long) i * BUCKET_NANOS;
            }
        }
        return (long) (counts.length - 1) * BUCKET_NANOS;
    }

    /** {@code p10 a/b  p30 …}: the percentiles of {@code first} and {@code second} side by side. */
    static String sideBySide(NanosHistogram first, NanosHistogram second, int... percentiles) {
        StringBuilder line = new StringBuilder();
        for (int p : percentiles) {
            line.append(String.format("  p%d %d/%d", p, first.percentile(p), second.percentile(p)));
        }
        return line.toString();
    }
}
