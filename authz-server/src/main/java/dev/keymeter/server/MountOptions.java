package dev.keymeter.server;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Which mount a path is on and whether that mount may hold programs, read from the text of
 * {@code /proc/self/mounts} (Linux). A {@code noexec} temporary directory is what
 * {@code docker run --tmpfs /tmp} gives by default, and the JVM cannot load the native libraries
 * sqlite-jdbc and Netty unpack there.
 */
final class MountOptions {

    private MountOptions() {
    }

    /**
     * The mount point holding {@code path} when its mount is {@code noexec}, or empty when it is not
     * (or no mount in {@code mounts} holds it). Later lines win: a mount stacked on the same point
     * hides the one below it.
     *
     * @param mounts the text of {@code /proc/self/mounts}
     * @param path   an absolute, real path (symbolic links resolved)
     */
    static Optional<String> noexecMountOf(String mounts, Path path) {
        String holding = null;
        boolean noexec = false;
        for (String line : mounts.split("\n")) {
            String[] fields = line.split(" ");
            if (fields.length < 4) {
                continue;
            }
            String point = unescape(fields[1]);
            if (path.startsWith(point) && (holding == null || point.length() >= holding.length())) {
                holding = point;
                noexec = (',' + fields[3] + ',').contains(",noexec,");
            }
        }
        return noexec ? Optional.of(holding) : Optional.empty();
    }

    /** {@code /proc/self/mounts} writes a space, tab, newline and backslash in octal ({@code \040}). */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
