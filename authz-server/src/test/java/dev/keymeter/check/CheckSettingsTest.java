package dev.keymeter.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.routes.RouteTable;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckSettingsTest {

    @Test
    void defaults_areAuthorizationThenXApiKeyRemoved403AndDefaultRoutes() {
        CheckSettings s = CheckSettings.defaults();
        assertEquals(List.of("authorization", "x-api-key"), s.tokenHeaders());
        assertTrue(s.removeTokenHeaders());
        assertEquals(403, s.unknownRouteStatus());
        assertEquals(RouteTable.defaults(), s.routes());
    }

    @Test
    void tokenHeaders_areLowerCased() {
        assertEquals(List.of("x-api-key", "authorization"),
                CheckSettings.defaults().withTokenHeaders(List.of("X-Api-Key", "Authorization")).tokenHeaders());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "x api key", ":authority", "x-keymeter-key-id", "X-Keymeter-Token", "ümlaut"})
    void tokenHeaders_notAClientHeaderName_isRefusedNamingIt(String name) {
        var e = assertThrows(IllegalArgumentException.class,
                () -> CheckSettings.defaults().withTokenHeaders(List.of(name)));
        assertTrue(e.getMessage().startsWith("tokenHeaders: \"" + name + "\""), e.getMessage());
    }

    @Test
    void tokenHeaders_emptyDuplicateOrTooMany_areRefused() {
        CheckSettings d = CheckSettings.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withTokenHeaders(List.of()));
        assertThrows(IllegalArgumentException.class, () -> d.withTokenHeaders(List.of("x-key", "X-Key")));
        assertThrows(IllegalArgumentException.class, () -> d.withTokenHeaders(Collections.nCopies(9, "h")));
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 401, 402, 500})
    void unknownRouteStatus_otherThan403Or404_isRefused(int status) {
        var e = assertThrows(IllegalArgumentException.class,
                () -> CheckSettings.defaults().withUnknownRouteStatus(status));
        assertEquals("unknownRouteStatus must be 403 or 404, was " + status, e.getMessage());
    }
}
