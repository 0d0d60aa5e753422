package dev.keymeter.chronicle;

import java.io.IOException;
import java.nio.file.Path;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * An open persisted map, and whether opening it had to recover from an unclean shutdown.
 *
 * <p>Close it to close the map and mark the file as cleanly closed. A process that dies without
 * closing leaves the file marked, and the next {@link ChronicleFiles#open} recovers it.
 */
public final class PersistedMap<K, V> implements AutoCloseable {

    private final ChronicleMap<K, V> map;
    private final Path file;
    private final OpenMarker marker;
    private final boolean recovered;
    private final long corruptions;

    PersistedMap(
            ChronicleMap<K, V> map, Path file, OpenMarker marker, boolean recovered, long corruptions) {
        this.map = map;
        this.file = file;
        this.marker = marker;
        this.recovered = recovered;
        this.corruptions = corruptions;
    }

    public ChronicleMap<K, V> map() {
        return map;
    }

    public Path file() {
        return file;
    }

    /** True when the previous owner did not close the file and this open ran recovery. */
    public boolean recovered() {
        return recovered;
    }

    /** How many corruptions recovery reported and repaired (always 0 without recovery). */
    public long corruptions() {
        return corruptions;
    }

    @Override
    public void close() throws IOException {
        try {
            map.close();
        } catch (RuntimeException e) {
            // Not closed cleanly: keep the marker so the next open recovers.
            try {
                marker.keep();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        marker.remove();
    }
}
