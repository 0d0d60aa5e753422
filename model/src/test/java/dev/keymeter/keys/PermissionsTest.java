package dev.keymeter.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PermissionsTest {

    @ParameterizedTest
    @EnumSource(Resource.class)
    void presets_allWritesEverything_readOnlyReadsEverything(Resource r) {
        assertTrue(Permissions.ALL.allows(r, AccessLevel.WRITE));
        assertTrue(Permissions.READ_ONLY.allows(r, AccessLevel.READ));
        assertFalse(Permissions.READ_ONLY.allows(r, AccessLevel.WRITE));
    }

    @Test
    void restricted_writeIncludesRead_unlistedIsNone() {
        Permissions p = Permissions.restricted(Map.of(Resource.CHAT_COMPLETIONS, AccessLevel.WRITE,
                Resource.MODELS, AccessLevel.READ));
        assertTrue(p.allows(Resource.CHAT_COMPLETIONS, AccessLevel.READ));
        assertTrue(p.allows(Resource.CHAT_COMPLETIONS, AccessLevel.WRITE));
        assertTrue(p.allows(Resource.MODELS, AccessLevel.READ));
        assertFalse(p.allows(Resource.MODELS, AccessLevel.WRITE));
        assertFalse(p.allows(Resource.DATASETS, AccessLevel.READ));
        assertEquals(AccessLevel.NONE, p.levelOf(Resource.DATASETS));
    }

    @Test
    void resource_wireNames_roundTrip() {
        for (Resource r : Resource.values()) {
            assertEquals(r, Resource.fromWireName(r.wireName()).orElseThrow());
        }
        assertEquals(31, Resource.values().length);
        assertTrue(Resource.fromWireName("CHAT_COMPLETIONS").isEmpty());
    }
}
