package dev.keymeter.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Each shipped bootstrap parses strictly; the same file with one misspelled field does not. */
class BootstrapParseTest {

    static final java.util.List<String> FILES = EnvoyConfigs.FILES;

    @ParameterizedTest
    @FieldSource("FILES")
    void parse_shippedBootstrap_parsesStrictly(String file) throws InvalidProtocolBufferException {
        Bootstrap bootstrap = EnvoyConfigs.load(file);

        assertEquals(1, bootstrap.getStaticResources().getListenersCount());
        assertEquals(10000, bootstrap.getStaticResources().getListeners(0).getAddress()
                .getSocketAddress().getPortValue());
    }

    @ParameterizedTest
    @FieldSource("FILES")
    void parse_misspelledFieldInsideTypedConfig_fails(String file) {
        String yaml = EnvoyConfigs.read(file);
        String broken = yaml.replace("failure_mode_allow:", "failure_mode_alow:");
        assertNotEquals(yaml, broken, "the file sets failure_mode_allow");

        InvalidProtocolBufferException e =
                assertThrows(InvalidProtocolBufferException.class, () -> EnvoyConfigs.parse(broken));
        assertContains(e.getMessage(), "failure_mode_alow");
    }

    @ParameterizedTest
    @FieldSource("FILES")
    void parse_misspelledTopLevelField_fails(String file) {
        String broken = EnvoyConfigs.read(file).replace("static_resources:", "static_resource:");

        assertThrows(InvalidProtocolBufferException.class, () -> EnvoyConfigs.parse(broken));
    }

    private static void assertContains(String text, String part) {
        if (text == null || !text.contains(part)) {
            throw new AssertionError("expected <" + part + "> in <" + text + ">");
        }
    }
}
