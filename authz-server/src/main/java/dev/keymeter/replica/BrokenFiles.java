package dev.keymeter.replica;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The replica files moved aside by a rebuild ({@code <file>.broken-<epoch millis>}, see
 * {@link ChronicleKeyReplica#openOrRebuild}): kept for diagnosis, but only the last
 * {@value #KEEP} rebuilds' worth, so that a replica that breaks again and again cannot fill the disk.
 * Files are grouped by their time stamp (one rebuild moves up to three files aside together).
 */
final class BrokenFiles {

    static final String MARK = ".broken-";
    /** Rebuilds whose files are kept. */
    static final int KEEP = 3;

    private static final System.Logger LOG = System.getLogger("keymeter.replica");

    private BrokenFiles() {
    }

    /** Like {@link #prune}, logging a failure instead of throwing it: diagnosis files never stop a start. */
    static void pruneQuietly(Path dir, int keep) {
        try {
            prune(dir, keep);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not delete old broken replica files in {0}: {1}", dir, e.toString());
        }
    }

    /** Deletes the broken files of all but the newest {@code keep} rebuilds in {@code dir}; returns how many. */
    static int prune(Path dir, int keep) throws IOException {
        List<Path> broken = new ArrayList<>();
        TreeSet<Long> stamps = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> {
                long stamp = stampOf(f);
                if (stamp >= 0) {
                    broken.add(f);
                    stamps.add(stamp);
                }
            });
        }
        while (stamps.size() > keep) {
            stamps.pollFirst();
        }
        long oldestKept = stamps.isEmpty() ? Long.MAX_VALUE : stamps.first();
        int deleted = 0;
        for (Path f : broken) {
            if (stampOf(f) < oldestKept) {
                Files.deleteIfExists(f);
                deleted++;
            }
        }
        if (deleted > 0) {
            LOG.log(Level.INFO, "deleted {0} replica files moved aside by older rebuilds in {1} (the last {2} "
                    + "rebuilds'' are kept)", String.valueOf(deleted), dir, String.valueOf(keep));
        }
        return deleted;
    }

    /** The time stamp in {@code <name>.broken-<millis>}, or -1 for any other file. */
    static long stampOf(Path file) {
        String name = file.getFileName().toString();
        int at = name.lastIndexOf(MARK);
        if (at <= 0) {
            return -1;
        }
        String digits = name.substring(at + MARK.length());
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(digits);
    }
}
