package dev.keymeter.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The console's files, read from {@code keymeter/console/} in the jar: nothing is fetched from
 * elsewhere at run time. Only plain names of known types are served (no path separators, so no
 * escape from the folder), each read once and kept.
 */
final class StaticAssets {

    private static final String FOLDER = "keymeter/console/";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*\\.(js|css|html|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "html", "text/html; charset=utf-8",
            "svg", "image/svg+xml");

    /** One file: its bytes and content type. */
    record Asset(byte[] body, String contentType) { }

    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    /** The file called {@code name}, if the console has one. */
    Optional<Asset> find(String name) {
        if (!NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return cache.computeIfAbsent(name, StaticAssets::load);
    }

    /** A file that must exist (the pages): a missing one is a broken jar. */
    Asset require(String name) {
        return find(name).orElseThrow(() -> new IllegalStateException("console file missing from the jar: " + name));
    }

    private static Optional<Asset> load(String name) {
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                return Optional.empty();
            }
            String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
            return Optional.of(new Asset(in.readAllBytes(), type));
        } catch (IOException e) {
            throw new UncheckedIOException("reading console file " + name, e);
        }
    }
}
