package dev.keymeter.chronicle;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import dev.keymeter.files.OwnerOnly;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Opens persisted Chronicle Maps the way design §5 says to, and keeps Chronicle quiet.
 *
 * <p>Unclean shutdown is detected with a marker file beside the map ({@code <file>.open}),
 * created when the map is opened and deleted when it is closed cleanly. Finding it at open time
 * means the last owner died with the map open, so the map is opened through Chronicle's recovery
 * instead, which needs exclusive access: the marker's lock guarantees that too.
 */
public final class ChronicleFiles {

    private static final String MARKER_SUFFIX = ".open";

    private ChronicleFiles() {}

    /**
     * Stops Chronicle from sending usage events to Google Analytics and from printing its banner.
     *
     * <p>Chronicle reads both properties once, in static initializers, so this must run before any
     * Chronicle class is initialized: make it the first statement of {@code main}. The
     * chronicle-analytics jar is also kept out of the build (parent pom) and {@code system.properties}
     * on the classpath sets the same two properties; this call is the one that does not depend on the
     * working directory (Chronicle prefers a {@code ../system.properties} file over the resource).
     */
    public static void disableAnalytics() {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
    }

    /** The marker file that says {@code mapFile} is open, or was when its owner died. */
    public static Path markerFor(Path mapFile) {
        return mapFile.resolveSibling(mapFile.getFileName() + MARKER_SUFFIX);
    }

    /**
     * Opens the map at {@code file}, creating it (and its directory) when absent and recovering it
     * when its last owner did not close it.
     *
     * <p>An existing file keeps the layout it was created with: Chronicle reads entries and sizes
     * from the file's header, so a changed {@code entries} setting needs a new file.
     *
     * @throws IOException when the file cannot be created, mapped or recovered, or another open of
     *     the same file (in this process or another) is still alive
     */
    public static <K, V> PersistedMap<K, V> open(MapLayout<K, V> layout, Path file)
            throws IOException {
        return open(layout, file, false);
    }

    /**
     * Like {@link #open}, but an existing file whose Chronicle header never became ready, or is
     * not a Chronicle header at all, is refused at once with an {@link IOException} instead of
     * Chronicle waiting 60 s for a creator that cannot be alive (see {@link ChronicleHeader}). For
     * callers that rebuild a file they cannot open, such as the key replica.
     */
    public static <K, V> PersistedMap<K, V> openChecked(MapLayout<K, V> layout, Path file)
            throws IOException {
        return open(layout, file, true);
    }

    private static <K, V> PersistedMap<K, V> open(MapLayout<K, V> layout, Path file, boolean requireCompleteHeader)
            throws IOException {
        requireNonNull(layout, "layout");
        Path absolute = requireNonNull(file, "file").toAbsolutePath();
        OwnerOnly.createDirectories(absolute.getParent());
        OpenMarker marker = OpenMarker.acquire(markerFor(absolute));
        OwnerOnly.restrict(markerFor(absolute));
        try {
            if (requireCompleteHeader) {
                // Checked under the marker's lock: no other owner can be creating the file right now.
                ChronicleHeader.requireComplete(absolute);
            }
            PersistedMap<K, V> opened = openOrRecover(layout, absolute, marker);
            OwnerOnly.restrict(absolute); // Chronicle creates it with the umask's mode; the directory is 0700
            return opened;
        } catch (Throwable failure) {
            // Whatever went wrong, the file may be half-written: keep the marker so the next open recovers.
            releaseKeeping(marker, failure);
            throw failure;
        }
    }

    private static <K, V> PersistedMap<K, V> openOrRecover(
            MapLayout<K, V> layout, Path file, OpenMarker marker) throws IOException {
        if (!(marker.leftBehind() && Files.exists(file))) {
            ChronicleMap<K, V> map = layout.builder().createPersistedTo(file.toFile());
            return new PersistedMap<>(map, file, marker, false, 0);
        }
        LongAdder corruptions = new LongAdder();
        // sameLibraryVersion=false: trust the header inside the file, not this build's settings.
        // true would overwrite the header with the builder's, and entries() comes from configuration
        // that may have changed since the file was created (as may the Chronicle version).
        ChronicleMap<K, V> map =
                layout.builder().recoverPersistedTo(file.toFile(), false, c -> corruptions.increment());
        return new PersistedMap<>(map, file, marker, true, corruptions.sum());
    }

    private static void releaseKeeping(OpenMarker marker, Throwable failure) {
        try {
            marker.keep();
        } catch (IOException closing) {
            failure.addSuppressed(closing);
        }
    }
}
