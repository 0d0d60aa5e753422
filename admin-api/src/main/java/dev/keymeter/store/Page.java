package dev.keymeter.store;

import java.util.List;
import java.util.Objects;

/**
 * One page of a listing.
 *
 * @param nextPageToken opaque; empty on the last page
 */
public record Page<T>(List<T> items, String nextPageToken) {
    public Page {
        items = List.copyOf(items);
        Objects.requireNonNull(nextPageToken, "nextPageToken");
    }
}
