package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.fleet.RedisServer;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet as a platform runs it, through the real jar: one {@code keymeter control-plane}, three
 * {@code keymeter sidecar} processes sharing budgets through one real {@code redis-server}, a key with
 * {@code --rpm 120}, and requests spread over the three sidecars at about 30 a second for 12 s — five
 * times what the key allows. Counted per sidecar the fleet would admit up to 360; shared, it admits
 * at most the stated bound L + R·(2T + d) + N, and the 429s carry the OpenAI rate-limit headers.
 */
class FleetIT {

    private static final Pattern TOKEN = Pattern.compile("km[aus]_[0-9A-Za-z]{36}");
    private static final Pattern ADMIN_LINE = Pattern.compile("admin API\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern AUTHZ_LINE = Pattern.compile("ext_authz\\s+: 127\\.0\\.0\\.1:(\\d+)");
    private static final int SIDECARS = 3;
    private static final long LIMIT = 120;
    private static final long TICK_MILLIS = 100;
    /** A generous Redis round trip on a loaded 2-core machine. */
    private static final long ROUND_TRIP_MILLIS = 50;

    @TempDir
    Path work;

    @Test
    void threeSidecarsSharingRedis_admitTheKeysLimitOnceAcrossTheFleet() throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        try (RedisServer redis = RedisServer.start()) {
            RunningProcess cp = new RunningProcess(work, "control-plane", "--data-dir", "cp", "--metrics-addr", "127.0.0.1:0",
                    "--admin-addr", "127.0.0.1:0");
            open.add(cp);
            cp.readUntil("Press Ctrl-C");
            String adminKey = JarCli.find(TOKEN, String.join("\n", cp.lines));
            int adminPort = cp.port(ADMIN_LINE);
            JarCli.run(work, adminPort, adminKey, "projects", "create", "payments");
            String token = JarCli.find(TOKEN, JarCli.run(work, adminPort, adminKey, "keys", "create", "--project", "payments",
                    "--name", "svc", "--rpm", Long.toString(LIMIT)));

            String sidecarKey = JarCli.sidecarCredential(work, adminPort, adminKey, "fleet");
            List<EnvoyCheck> sidecars = new ArrayList<>();
            List<RunningProcess> processes = new ArrayList<>();
            for (int i = 0; i < SIDECARS; i++) {
                RunningProcess sidecar = new RunningProcess(work, "sidecar", "--data-dir", "sidecar-" + i,
                        "--authz-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0",
                        "--control-plane", "127.0.0.1:" + adminPort, "--control-plane-key", sidecarKey,
                        "--budgets-store", redis.uri(), "--sidecar-id", "fleet-" + i);
                open.add(sidecar);
                processes.add(sidecar);
            }
            for (RunningProcess sidecar : processes) {
                sidecar.readUntil("Press Ctrl-C");
                EnvoyCheck envoy = new EnvoyCheck(sidecar.port(AUTHZ_LINE));
                open.add(envoy);
                envoy.awaitServing();
                sidecars.add(envoy);
            }
            String budgetsLine = processes.get(0).lines.stream().filter(l -> l.contains("budgets")).findFirst()
                    .orElse("");
            assertTrue(budgetsLine.contains("shared through redis://127.0.0.1:" + redis.port()), budgetsLine);

            int allowed = 0;
            int limited = 0;
            CheckResponse aLimited = null;
            long started = System.nanoTime();
            int sent = 0;
            while (System.nanoTime() - started < 12_000_000_000L) {
                CheckResponse r = sidecars.get(sent % SIDECARS).response(token, "POST", "/v1/chat/completions");
                sent++;
                int status = EnvoyCheck.status(r);
                if (status == 200) {
                    allowed++;
                } else {
                    assertEquals(429, status, () -> "unexpected denial " + r);
                    limited++;
                    aLimited = r;
                }
                // Pace: request number `sent` is due at sent / 30 s.
                long due = started + sent * 1_000_000_000L / 30;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double rate = sent / seconds;
            long bound = LIMIT + (long) Math.ceil(rate * (2 * TICK_MILLIS + ROUND_TRIP_MILLIS) / 1000.0) + SIDECARS;
            System.out.printf(Locale.ROOT, "fleet of %d sidecars, rpm %d, %.1f requests/s for %.1f s: allowed=%d"
                    + " limited=%d (bound %d; per-sidecar counting would allow up to %d)%n", SIDECARS, LIMIT, rate,
                    seconds, allowed, limited, bound, SIDECARS * LIMIT);

            assertTrue(allowed <= bound, "allowed " + allowed + " > bound " + bound);
            assertTrue(allowed >= LIMIT - SIDECARS, "allowed only " + allowed + " of " + LIMIT);
            assertTrue(aLimited != null, "nothing was limited");
            List<String> headers = aLimited.getDeniedResponse().getHeadersList().stream()
                    .map(h -> h.getHeader().getKey()).toList();
            assertTrue(headers.containsAll(List.of("retry-after", "x-ratelimit-limit-requests",
                    "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests")), headers.toString());
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }


}
