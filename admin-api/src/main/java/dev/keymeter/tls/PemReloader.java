package dev.keymeter.tls;

import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Loads PEM files into gRPC's advanced TLS managers and re-reads them every {@value #RELOAD_SECONDS}
 * seconds when a modification time changed. A replaced file that does not parse (half-written, a
 * key that is not PKCS#8) is skipped, logged, and the last good one stays in use, so a bad rotation
 * never takes a listener down; new connections pick up a good one, open connections keep theirs.
 * One daemon thread serves every listener and client of the process.
 *
 * <p>The managers' own file watching is not used: it refuses periods under a minute, and a rotated
 * certificate should be served within seconds, not a minute later.
 */
final class PemReloader {

    static final long RELOAD_SECONDS = 5;
    private static final Logger LOG = System.getLogger("keymeter.tls");

    private static final ScheduledExecutorService RELOADS = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "keymeter-tls-reload");
        thread.setDaemon(true);
        return thread;
    });

    private PemReloader() {
    }

    /** A key manager holding {@code certificate} and {@code key}, kept up to date until {@code watches} closes. */
    static AdvancedTlsX509KeyManager keyManager(Path certificate, Path key, Watches watches) throws IOException {
        requireReadable(certificate, "certificate");
        requireReadable(key, "private key");
        AdvancedTlsX509KeyManager manager = new AdvancedTlsX509KeyManager();
        Loader load = () -> manager.updateIdentityCredentials(certificate.toFile(), key.toFile());
        try {
            load.run();
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new IOException("cannot load the TLS certificate " + certificate + " with the private key " + key
                    + " (PEM, the key in PKCS#8: BEGIN PRIVATE KEY): " + reason(e), e);
        }
        watches.add(watch(load, certificate, key));
        return manager;
    }

    /** A trust manager that trusts the CAs in {@code bundle}, kept up to date until {@code watches} closes. */
    static AdvancedTlsX509TrustManager trustManager(Path bundle, AdvancedTlsX509TrustManager.Verification verification,
            Watches watches) throws IOException {
        requireReadable(bundle, "CA bundle");
        AdvancedTlsX509TrustManager manager;
        try {
            manager = AdvancedTlsX509TrustManager.newBuilder().setVerification(verification).build();
            manager.updateTrustCredentials(bundle.toFile());
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new IOException("cannot load the CA bundle " + bundle + " (PEM certificates): " + reason(e), e);
        }
        watches.add(watch(() -> manager.updateTrustCredentials(bundle.toFile()), bundle));
        return manager;
    }

    /** Re-reads {@code files} through {@code load} whenever one's modification time moves. */
    private static Closeable watch(Loader load, Path... files) {
        long[] seen = modificationTimes(files);
        ScheduledFuture<?> task = RELOADS.scheduleWithFixedDelay(() -> {
            long[] now = modificationTimes(files);
            if (Arrays.equals(now, seen)) {
                return;
            }
            try {
                load.run();
                System.arraycopy(now, 0, seen, 0, now.length);
                LOG.log(Level.INFO, "TLS files reloaded: {0}", Arrays.toString(files));
            } catch (GeneralSecurityException | IOException | RuntimeException e) {
                // Half a rotation (the certificate replaced, its key not yet): try again next time.
                LOG.log(Level.WARNING, "TLS files {0} changed but do not load ({1}); still serving the previous ones",
                        Arrays.toString(files), reason(e));
            }
        }, RELOAD_SECONDS, RELOAD_SECONDS, TimeUnit.SECONDS);
        return () -> task.cancel(false);
    }

    private static long[] modificationTimes(Path... files) {
        long[] times = new long[files.length];
        for (int i = 0; i < files.length; i++) {
            times[i] = files[i].toFile().lastModified(); // 0 while a file is missing mid-rotation
        }
        return times;
    }

    /** One (re)load of a manager from its files. */
    @FunctionalInterface
    private interface Loader {
        void run() throws GeneralSecurityException, IOException;
    }

    private static void requireReadable(Path file, String what) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("the TLS " + what + " file " + file + " does not exist or is not a file");
        }
        if (!Files.isReadable(file)) {
            throw new IOException("the TLS " + what + " file " + file + " is not readable by this user");
        }
    }

    private static String reason(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The reload schedules of one listener or client, stopped together. */
    static final class Watches implements AutoCloseable {
        private final java.util.List<Closeable> all = new java.util.ArrayList<>();

        void add(Closeable watch) {
            all.add(watch);
        }

        @Override
        public void close() {
            for (Closeable watch : all) {
                try {
                    watch.close();
                } catch (IOException ignored) {
                    // cancelling a schedule does not fail
                }
            }
            all.clear();
        }
    }
}
