package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonErrorTest {

    @Test
    void body_hasEveryOpenAiMember_paramNull() {
        assertEquals("{\"error\":{\"message\":\"No <key>.\",\"type\":\"invalid_request_error\",\"param\":null,"
                + "\"code\":\"invalid_api_key\"}}", JsonError.body("No <key>.", "invalid_request_error", "invalid_api_key"));
    }
}
