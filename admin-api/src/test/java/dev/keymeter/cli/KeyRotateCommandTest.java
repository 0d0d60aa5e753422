package dev.keymeter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.keymeter.proto.admin.v1.RotateKeyRequest;
import org.junit.jupiter.api.Test;

class KeyRotateCommandTest {

    @Test
    void request_grace_isSentAsProtoDuration() {
        RotateKeyRequest request = CliRun.parse(new KeyRotateCommand(), "key_1", "--grace", "30m").request();

        assertEquals(1800, request.getGracePeriod().getSeconds());
    }

    @Test
    void request_zeroGrace_isSentAndNotLeftUnset() {
        RotateKeyRequest request = CliRun.parse(new KeyRotateCommand(), "key_1", "--grace", "0s").request();

        assertEquals(true, request.hasGracePeriod());
        assertEquals(0, request.getGracePeriod().getSeconds());
    }

    @Test
    void request_noGrace_leavesItToTheServer() {
        assertFalse(CliRun.parse(new KeyRotateCommand(), "key_1").request().hasGracePeriod());
    }
}
