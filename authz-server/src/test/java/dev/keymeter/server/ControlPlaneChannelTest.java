package dev.keymeter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --control-plane}: one address or several, and errors that name the flag. */
class ControlPlaneChannelTest {

    @Test
    void parse_severalAddresses_keepsTheirOrder() {
        List<HostPort> targets = ControlPlaneChannel.parse("--control-plane", "cp-a:9190, [::1]:9191,,127.0.0.1:9192");
        assertEquals(List.of("cp-a:9190", "[::1]:9191", "127.0.0.1:9192"),
                targets.stream().map(HostPort::toString).toList());
    }

    @Test
    void parse_badOrMissingAddresses_nameTheFlag() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> ControlPlaneChannel.parse("--control-plane", " , "));
        assertTrue(none.getMessage().startsWith("--control-plane"), none.getMessage());
        IllegalArgumentException noPort = assertThrows(IllegalArgumentException.class,
                () -> ControlPlaneChannel.parse("--control-plane", "cp-a:9190,cp-b"));
        assertTrue(noPort.getMessage().contains("--control-plane"), noPort.getMessage());
    }
}
