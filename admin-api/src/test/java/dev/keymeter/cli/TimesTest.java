package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimesTest {

    @Test
    void parseInstant_date_isMidnightUtc() {
        assertEquals(Instant.parse("2030-01-31T00:00:00Z"), Times.parseInstant("2030-01-31"));
    }

    @ParameterizedTest
    @CsvSource({
        "2030-01-31T12:30:00Z, 2030-01-31T12:30:00Z",
        "2030-01-31T12:30:00+02:00, 2030-01-31T10:30:00Z",
        "2030-01-31T12:30:00.5Z, 2030-01-31T12:30:00.5Z"
    })
    void parseInstant_isoInstant_isThatInstant(String text, String expected) {
        assertEquals(Instant.parse(expected), Times.parseInstant(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tomorrow", "2030-13-01", "2030-01-31 12:00", "1700000000"})
    void parseInstant_other_isRefusedNamingTheValue(String text) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Times.parseInstant(text));
        assertTrue(refused.getMessage().contains(text), refused.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "24h, PT24H",
        "30m, PT30M",
        "0s, PT0S",
        "500ms, PT0.5S",
        "1d, PT24H",
        "1h30m, PT1H30M",
        "PT24H, PT24H",
        "pt10s, PT10S"
    })
    void parseDuration_shortOrIso_isThatDuration(String text, String iso) {
        assertEquals(Duration.parse(iso), Times.parseDuration(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"24", "h", "-5s", "1 h", "10y", "99999999999999999999s"})
    void parseDuration_other_isRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> Times.parseDuration(text));
    }

    @Test
    void format_timestampWithNanos_isUtcTruncatedToSeconds() {
        Timestamp timestamp = Times.toTimestamp(Instant.parse("2030-01-31T12:30:45.987654321Z"));
        assertEquals("2030-01-31T12:30:45Z", Times.format(timestamp));
    }

    @Test
    void formatOr_absentField_isTheFallback() {
        assertEquals("never", Times.formatOr(false, Timestamp.getDefaultInstance(), "never"));
    }
}
