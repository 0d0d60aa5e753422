package dev.keymeter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Collection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-key series cap: exact under racing threads, no update lost. */
class KeySeriesTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void increment_manyThreadsRacingOnNewKeys_neverPassesTheCapAndLosesNoCount() throws Exception {
        int cap = 10;
        int threads = 8;
        int keys = 200;
        int rounds = 50;
        KeySeries series = new KeySeries(registry, cap);
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t * 7;
                done.add(pool.submit(() -> {
                    gate.await();
                    for (int r = 0; r < rounds; r++) {
                        for (int k = 0; k < keys; k++) {
                            series.increment("key_" + ((k + offset) % keys));
                        }
                    }
                    return null;
                }));
            }
            gate.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        Collection<FunctionCounter> counters = Search.in(registry).name(KeySeries.NAME).functionCounters();
        assertEquals(cap + 1, counters.size(), "cap keys plus _other");
        assertEquals(cap, series.size());
        for (FunctionCounter c : counters) {
            assertEquals(0.0, c.count(), "a series' first scrape is its start: " + c.getId());
        }
        double total = counters.stream().mapToDouble(FunctionCounter::count).sum();
        assertEquals((double) threads * rounds * keys, total);
        for (FunctionCounter c : counters) {
            if (!KeySeries.OTHER.equals(c.getId().getTag(KeySeries.KEY_ID))) {
                assertEquals((double) threads * rounds, c.count(), c.getId().toString());
            }
        }
    }

    @Test
    void increment_capZero_countsEverythingUnderOther() {
        KeySeries series = new KeySeries(registry, 0);
        series.increment("key_a");
        series.increment("key_b");
        series.increment(null);
        assertEquals(0, series.size());
        assertEquals(3.0, series.total(KeySeries.OTHER));
        assertEquals(1, Search.in(registry).name(KeySeries.NAME).functionCounters().size());
    }

    @Test
    void constructor_negativeCap_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new KeySeries(registry, -1));
        assertEquals("maxKeySeries must be >= 0, was -1", e.getMessage());
    }

    @Test
    void checkMetrics_defaultCap_isTenThousand() {
        assertEquals(10_000, new CheckMetrics(registry).maxKeySeries());
    }
}
