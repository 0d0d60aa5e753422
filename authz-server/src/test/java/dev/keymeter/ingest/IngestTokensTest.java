package dev.keymeter.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token file: digest and token lines, comments, bad lines named by number only; the default file. */
class IngestTokensTest {

    @TempDir
    Path dir;

    @Test
    void read_digestAndTokenLines_acceptsBoth_andNothingElse() throws Exception {
        String byDigest = IngestTokens.newToken();
        String byToken = IngestTokens.newToken();
        Path file = dir.resolve("tokens");
        Files.writeString(file, "# envoy\n\n" + IngestTokens.digestLine(byDigest) + " envoy-node-a\n  " + byToken + "\n");
        IngestTokens tokens = IngestTokens.read(file);
        assertEquals(2, tokens.size());
        assertTrue(tokens.accepts(byDigest));
        assertTrue(tokens.accepts(byToken));
        assertFalse(tokens.accepts(IngestTokens.newToken()));
        assertFalse(tokens.accepts(""));
        assertFalse(tokens.accepts(null));
        assertTrue(IngestTokens.digestLine(byDigest).matches("sha256:[0-9a-f]{64}"));
    }

    @Test
    void read_badLine_namesTheLineNotItsContent() throws Exception {
        Path file = dir.resolve("tokens");
        String secretWithTypo = "kmi_" + "x".repeat(36);
        Files.writeString(file, "# ok\n" + secretWithTypo + "\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IngestTokens.read(file));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertFalse(e.getMessage().contains(secretWithTypo));
        Files.writeString(file, "sha256:abc\n");
        assertThrows(IllegalArgumentException.class, () -> IngestTokens.read(file));
        Files.writeString(file, "# only comments\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IngestTokens.read(file)).getMessage()
                .contains("no ingest token"));
    }

    @Test
    void load_withoutConfiguredFile_createsOne0600_andKeepsItAcrossStarts() throws Exception {
        IngestTokenFile.Loaded first = IngestTokenFile.load(null, dir);
        assertTrue(first.created());
        assertEquals(dir.resolve(IngestTokenFile.DEFAULT_NAME), first.file());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.file())));
        String token = Files.readAllLines(first.file()).stream().filter(l -> l.startsWith("kmi_")).findFirst()
                .orElseThrow();
        IngestTokenFile.Loaded again = IngestTokenFile.load(null, dir);
        assertFalse(again.created());
        assertTrue(again.tokens().accepts(token), "a restart keeps the token Envoy was given");
    }

    @Test
    void credential_withoutSession_decidesOnTheToken() {
        IngestTokens tokens = IngestTokens.of("kmi_known");
        assertEquals(IngestCredential.MISSING, IngestCredential.of(null, null, tokens));
        assertEquals(IngestCredential.MISSING, IngestCredential.of(null, "", tokens));
        assertEquals(IngestCredential.UNKNOWN_TOKEN, IngestCredential.of(null, "kmi_other", tokens));
        assertEquals(IngestCredential.INGEST_TOKEN, IngestCredential.of(null, "kmi_known", tokens));
        assertEquals(IngestCredential.UNKNOWN_TOKEN, IngestCredential.of(null, "kmi_known", IngestTokens.none()));
    }
}
