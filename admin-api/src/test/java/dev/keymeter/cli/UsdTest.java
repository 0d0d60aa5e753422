package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UsdTest {

    @ParameterizedTest
    @CsvSource({
        "12.5, 12500000",
        "0.000001, 1",
        "0.1, 100000",
        "0, 0",
        "1.2300000, 1230000",
        "9223372036854.775807, 9223372036854775807"
    })
    void toMicros_decimalUsd_isExact(String usd, long micros) {
        assertEquals(micros, Usd.toMicros(usd));
    }

    @Test
    void toMicros_sevenDecimals_isRefusedNamingTheValue() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Usd.toMicros("1.2345678"));
        assertTrue(refused.getMessage().contains("1.2345678"), refused.getMessage());
        assertTrue(refused.getMessage().contains("6 decimals"), refused.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "-0.000001", "abc", "", "1,5", "9223372036854.775808"})
    void toMicros_negativeMalformedOrTooLarge_isRefused(String usd) {
        assertThrows(IllegalArgumentException.class, () -> Usd.toMicros(usd));
    }

    @ParameterizedTest
    @CsvSource({
        "12500000, 12.50",
        "1, 0.000001",
        "0, 0.00",
        "10000000, 10.00",
        "1234567, 1.234567",
        "100000, 0.10"
    })
    void format_micros_showsExactDecimalsAndAtLeastTwo(long micros, String usd) {
        assertEquals(usd, Usd.format(micros));
    }

    @Test
    void formatThenParse_seededRandomAmounts_roundTrip() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 10_000; i++) {
            long micros = random.nextLong(0, Long.MAX_VALUE);
            assertEquals(micros, Usd.toMicros(Usd.format(micros)));
        }
    }
}
