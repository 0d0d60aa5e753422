package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class data sharing (bin/keymeter, docs/deploying.md): the first {@code serve} writes
 * an archive when it stops, as {@code lib/keymeter.jsa.<pid>}. JDK 17 crashes on a truncated archive —
 * what a process killed while writing one leaves — so a truncated archive, whether waiting to be tried
 * or already in place, must never stop a start, and nothing of it reaches the console.
 */
class LauncherCdsIT {

    private static final Pattern METRICS_LINE = Pattern.compile("metrics\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern WRITTEN = Pattern.compile("keymeter\\.jsa\\.\\d+");

    @TempDir
    Path work;

    @Test
    void serve_truncatedArchives_startAnyway_andAreReplaced() throws Exception {
        Distribution dist = Distribution.unpack(work);
        Path lib = dist.home.resolve("lib");
        serveUntilReadyThenStop(dist, "first");
        Path written = onlyWrittenArchive(lib);
        long size = Files.size(written);
        assertTrue(size > 1_000_000, "an archive of the classes serve loaded: " + size + " bytes");
        // In place as if tried and promoted, then cut short; and a second one cut short while written.
        Path inPlace = lib.resolve("keymeter.jsa");
        Files.copy(written, inPlace);
        Files.writeString(lib.resolve("keymeter.jsa-size"), size + "\n");
        truncate(inPlace, size / 2);
        truncate(written, size / 2);

        serveUntilReadyThenStop(dist, "second");

        assertFalse(Files.exists(inPlace), "the archive whose size disagrees is deleted");
        assertFalse(Files.exists(written), "the written archive that failed its try is deleted");
        Path rewritten = onlyWrittenArchive(lib);
        assertTrue(Files.size(rewritten) > 1_000_000, "a whole one written again at exit");
    }

    /** {@code bin/keymeter serve} in {@code work} until /readyz 200, then SIGTERM; no CDS line on the console. */
    private void serveUntilReadyThenStop(Distribution dist, String name) throws Exception {
        Path err = work.resolve(name + ".err");
        try (RunningProcess serve = dist.start(work, err, "serve", "--admin-addr", "127.0.0.1:0",
                "--authz-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--bootstrap-key-file-only")) {
            serve.readUntil("Press Ctrl-C");
            DistributionIT.awaitReady(serve.port(METRICS_LINE));
            assertEquals(143, serve.terminate(), "SIGTERM ends the JVM with 128+15");
            String console = String.join("\n", serve.lines) + "\n" + Files.readString(err);
            assertFalse(console.contains("[warning]") || console.contains("cds") || console.contains("fatal"),
                    console);
        }
    }

    private static Path onlyWrittenArchive(Path lib) throws IOException {
        try (Stream<Path> files = Files.list(lib)) {
            List<Path> written = files.filter(f -> WRITTEN.matcher(f.getFileName().toString()).matches()).toList();
            assertEquals(1, written.size(), "archives written: " + written);
            return written.get(0);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        file.toFile().setWritable(true); // the JVM writes archives read-only
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }
}
