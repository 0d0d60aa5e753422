package dev.keymeter.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Value;
import org.junit.jupiter.api.Test;

/** The parsers behind both services: exact decimal cost, strict token counts, never an exception. */
class UsageValuesTest {

    @Test
    void costMicroUsd_isExactDecimal_roundedUpBeyondAMicroDollar() {
        assertEquals(1_234, UsageValues.costMicroUsd("0.001234"));
        assertEquals(300_000, UsageValues.costMicroUsd("0.3")); // 0.3 is not exact in binary floating point
        assertEquals(100_000, UsageValues.costMicroUsd("0.1"));
        assertEquals(0, UsageValues.costMicroUsd("0"));
        assertEquals(0, UsageValues.costMicroUsd("0.000000"));
        assertEquals(5_000_000, UsageValues.costMicroUsd("5"));
        assertEquals(1, UsageValues.costMicroUsd("0.0000000001"));
        assertEquals(2, UsageValues.costMicroUsd("0.0000010001"));
        assertEquals(999_999_999_999_999L, UsageValues.costMicroUsd("999999999.999999"));
        assertEquals(UsageValues.MAX_AMOUNT, UsageValues.costMicroUsd("1000000000"));
        assertEquals(UsageValues.ABSENT, UsageValues.costMicroUsd(null));
    }

    @Test
    void costMicroUsd_rejectsAnythingButAPlainNonNegativeDecimal() {
        for (String bad : new String[] {"", " ", "-0.01", "+1", "NaN", "Infinity", "-Infinity", "1e-3", "1E999999999",
                "0x10", "1,5", "1.", ".5", "$1", "1 000", "1000000000.000001", "99999999999999999", "٣"}) {
            assertEquals(UsageValues.MALFORMED, UsageValues.costMicroUsd(bad), bad);
        }
    }

    @Test
    void tokens_fromText() {
        assertEquals(0, UsageValues.tokens("0"));
        assertEquals(42, UsageValues.tokens(" 42 "));
        assertEquals(7, UsageValues.tokens("007"));
        assertEquals(UsageValues.MAX_AMOUNT, UsageValues.tokens("1000000000000000"));
        assertEquals(UsageValues.ABSENT, UsageValues.tokens((String) null));
        for (String bad : new String[] {"", "-1", "+1", "1.0", "1e3", "abc", "1000000000000001",
                "9223372036854775808", "99999999999999999999", "١٢"}) {
            assertEquals(UsageValues.MALFORMED, UsageValues.tokens(bad), bad);
        }
    }

    @Test
    void tokens_fromMetadata() {
        assertEquals(812, UsageValues.tokens(Value.newBuilder().setNumberValue(812).build()));
        assertEquals(0, UsageValues.tokens(Value.newBuilder().setNumberValue(-0.0).build()));
        assertEquals(9, UsageValues.tokens(Value.newBuilder().setStringValue("9").build()));
        assertEquals(UsageValues.ABSENT, UsageValues.tokens((Value) null));
        assertEquals(UsageValues.ABSENT, UsageValues.tokens(Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build()));
        assertEquals(UsageValues.ABSENT, UsageValues.tokens(Value.getDefaultInstance()));
        for (Value bad : new Value[] {
                Value.newBuilder().setNumberValue(1.5).build(),
                Value.newBuilder().setNumberValue(-1).build(),
                Value.newBuilder().setNumberValue(Double.NaN).build(),
                Value.newBuilder().setNumberValue(Double.POSITIVE_INFINITY).build(),
                Value.newBuilder().setNumberValue(1e16).build(),
                Value.newBuilder().setBoolValue(true).build(),
                Value.newBuilder().setListValue(ListValue.getDefaultInstance()).build(),
                Value.newBuilder().setStringValue("x").build()}) {
            assertEquals(UsageValues.MALFORMED, UsageValues.tokens(bad), bad.toString());
        }
    }

    @Test
    void ids() {
        assertTrue(UsageValues.isKeyId("key_AAAAAAAAAAAAAAAAAAAA"));
        assertFalse(UsageValues.isKeyId("key_"));
        assertFalse(UsageValues.isKeyId("KEY_abc"));
        assertFalse(UsageValues.isKeyId("key_a-b"));
        assertFalse(UsageValues.isKeyId(null));
        assertTrue(UsageValues.isRequestId("7f1c0c9e-8b1e-4c57-9a59-5b7f3c2f1d10"));
        assertTrue(UsageValues.isRequestId("x".repeat(128)));
        assertFalse(UsageValues.isRequestId("x".repeat(129)));
        assertFalse(UsageValues.isRequestId(""));
        assertFalse(UsageValues.isRequestId("a\u007fb"));
    }
}
