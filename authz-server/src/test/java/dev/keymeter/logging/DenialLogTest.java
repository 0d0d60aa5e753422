package dev.keymeter.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.keymeter.check.DenialReason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Denial lines: capped per second (exactly, under many threads), counted when left out, never a token. */
class DenialLogTest {

    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final Logger logger = Logger.getLogger("keymeter.check");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            lines.add(new java.util.logging.SimpleFormatter().formatMessage(r));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        logger.addHandler(capture);
        logger.setUseParentHandlers(false);
        logger.setLevel(Level.INFO);
    }

    @AfterEach
    void stop() {
        logger.removeHandler(capture);
        logger.setUseParentHandlers(true);
    }

    @Test
    void denied_overTheCap_isCountedAndReportedOnTheNextLine() {
        AtomicLong now = new AtomicLong(1_000_000);
        DenialLog log = new DenialLog(3, now::get);
        for (int i = 0; i < 10; i++) {
            log.denied(DenialReason.UNKNOWN_KEY, null);
        }
        assertEquals(3, lines.size());
        assertEquals(7, log.suppressed());
        now.addAndGet(1000);
        log.denied(DenialReason.REVOKED, "key_00000000000000000001");
        assertEquals("check denied reason=revoked key_id=key_00000000000000000001 suppressed_since_last=7",
                lines.get(3));
        assertEquals("check denied reason=unknown_key key_id=-", lines.get(0));
    }

    @Test
    void denied_manyThreadsInOneSecond_writeExactlyTheCap() throws Exception {
        DenialLog log = new DenialLog(25, () -> 42_000);
        CountDownLatch gate = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 1000; i++) {
                    log.denied(DenialReason.MALFORMED_TOKEN, null);
                }
            });
            thread.start();
            threads.add(thread);
        }
        gate.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(25, lines.size());
        // Every left-out line is counted once: still pending, or reported by a line written after it.
        long reported = lines.stream().filter(l -> l.contains("suppressed_since_last="))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf("suppressed_since_last=") + 22))).sum();
        assertEquals(8000 - 25, log.suppressed() + reported);
    }

    @Test
    void jsonFormat_isOneParseableObjectPerRecord() {
        LogRecord r = new LogRecord(Level.INFO, "admin action=CreateKey target=\"quoted\"\nnext");
        r.setLoggerName("keymeter.audit");
        String json = LogFormat.json(r);
        assertFalse(json.contains("\n"));
        var o = JsonParser.parseString(json).getAsJsonObject();
        assertEquals("keymeter.audit", o.get("logger").getAsString());
        assertEquals("INFO", o.get("level").getAsString());
        assertTrue(o.get("message").getAsString().startsWith("admin action=CreateKey"));
        assertEquals(LogFormat.JSON, LogFormat.parse(" JSON "));
    }
}
