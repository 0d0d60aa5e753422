package dev.keymeter.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keymeter.store.PostgresServer;
import dev.keymeter.store.StoreSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admin write throughput on each store: {@value #CREATES} CreateKey calls over gRPC from
 * {@value #CLIENTS} client threads against one control plane, on SQLite (one file, one writer) and on
 * a real PostgreSQL (key writes serialized on the revision row). Prints one grep-able line per store,
 * {@code admin_writes store=… creates=… per_s=…}; asserts only that every create landed. Tagged
 * {@code measurement}; alone: {@code mvn -B -pl admin-api -am test -Dtest=AdminWriteThroughputTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("measurement")
class AdminWriteThroughputTest {

    private static final int CREATES = 1_000;
    private static final int CLIENTS = 4;
    /** Held so the level set below stays set (JUL keeps loggers weakly). */
    private static final Logger AUDIT_LOG = Logger.getLogger("keymeter.audit");

    @TempDir
    Path dir;

    @Test
    void createKey_sqlite() throws Exception {
        measure("sqlite", null);
    }

    /** On a server of its own with {@code fsync} on, as SQLite's {@code synchronous=FULL} is. */
    @Test
    void createKey_postgresql() throws Exception {
        try (PostgresServer pg = PostgresServer.start(true)) {
            measure("postgresql", new StoreSpec(null, pg.createDatabase(), null, null));
        }
    }

    private void measure(String name, StoreSpec store) throws Exception {
        Level level = AUDIT_LOG.getLevel();
        AUDIT_LOG.setLevel(Level.WARNING);
        try (ReplicationHarness cp = new ReplicationHarness(dir, ReplicationSettings.defaults()
                .withHeartbeatInterval(Duration.ofMinutes(10)), store, null)) {
            cp.project("load");
            for (int i = 0; i < 50; i++) { // warm-up, not counted
                cp.serviceKey("load", "warm-" + i);
            }
            long before = cp.keyCount();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            long started = System.nanoTime();
            try {
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    clients.add(pool.submit(() -> {
                        for (int i = client; i < CREATES; i += CLIENTS) {
                            cp.serviceKey("load", "key-" + i);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : clients) {
                    f.get(300, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            assertEquals(before + CREATES, cp.keyCount(), "every create landed");
            System.out.printf(Locale.ROOT, "admin_writes store=%s creates=%d clients=%d seconds=%.2f per_s=%.0f%n",
                    name, CREATES, CLIENTS, seconds, CREATES / seconds);
        } finally {
            AUDIT_LOG.setLevel(level);
        }
    }
}
