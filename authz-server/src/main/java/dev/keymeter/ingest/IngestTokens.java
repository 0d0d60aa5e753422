package dev.keymeter.ingest;

import dev.keymeter.keys.TokenFormat;
import dev.keymeter.keys.TokenType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The ingest tokens a sidecar accepts on its usage ports, held as SHA-256 digests only.
 *
 * <p>The file ({@code --ingest-token-file}) holds one credential per line; blank lines and lines
 * starting with {@code #} are ignored, and anything after the first blank on a line is a comment:
 * <pre>
 * # envoy on node-a, created 2026-12-07
 * sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 envoy-node-a
 * kmi_Zb3…   (a token itself: digested when read; what serve writes for loopback use)
 * </pre>
 * Digest lines let the file be shared without sharing the secrets; token lines keep a single-machine
 * setup to one file. {@code keymeter ingest-token create} prints a new token and its digest line.
 * Tokens are {@code kmi_} + 30 random base62 characters + a 6-character checksum (design §6).
 *
 * <p>Immutable; thread-safe.
 */
public final class IngestTokens {

    /** The gRPC metadata that carries an ingest token (Envoy: {@code GrpcService.initial_metadata}). */
    public static final String HEADER = "x-keymeter-ingest-token";

    private static final String DIGEST_PREFIX = "sha256:";
    private static final HexFormat HEX = HexFormat.of();

    private final List<byte[]> digests;

    private IngestTokens(List<byte[]> digests) {
        this.digests = List.copyOf(digests);
    }

    /** No token accepted: only callers with a verified client certificate get in. */
    public static IngestTokens none() {
        return new IngestTokens(List.of());
    }

    /** Exactly {@code tokens}; for tests and for a token generated in process. */
    public static IngestTokens of(String... tokens) {
        List<byte[]> digests = new ArrayList<>();
        for (String t : tokens) {
            digests.add(TokenFormat.sha256(t));
        }
        return new IngestTokens(digests);
    }

    /**
     * Reads {@code file}. A line that is neither a digest nor a well-formed ingest token is an
     * IllegalArgumentException naming the file and the line number, never the line's content (it
     * may be a secret with a typo).
     */
    public static IngestTokens read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        List<byte[]> digests = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String first = line.split("\\s+", 2)[0];
            byte[] digest = parse(first);
            if (digest == null) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected sha256:<64 hex digits> "
                        + "or a kmi_ ingest token (see keymeter ingest-token create)");
            }
            digests.add(digest);
        }
        if (digests.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no ingest token or digest");
        }
        return new IngestTokens(digests);
    }

    private static byte[] parse(String credential) {
        if (credential.startsWith(DIGEST_PREFIX)) {
            String hex = credential.substring(DIGEST_PREFIX.length());
            if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return null;
            }
            return HEX.parseHex(hex.toLowerCase(java.util.Locale.ROOT));
        }
        if (credential.startsWith(TokenType.INGEST.prefix()) && TokenFormat.isWellFormed(credential)) {
            return TokenFormat.sha256(credential);
        }
        return null;
    }

    /** True when {@code token} is one of these. Compares every digest (constant time per digest). */
    public boolean accepts(String token) {
        if (token == null || token.isEmpty() || digests.isEmpty()) {
            return false;
        }
        byte[] digest = TokenFormat.sha256(token);
        boolean found = false;
        for (byte[] d : digests) {
            found |= MessageDigest.isEqual(d, digest);
        }
        return found;
    }

    /** How many credentials the file held. */
    public int size() {
        return digests.size();
    }

    /** A new random ingest token. */
    public static String newToken() {
        return TokenFormat.generate(TokenType.INGEST);
    }

    /** The file line that accepts {@code token} without holding it: {@code sha256:<hex>}. */
    public static String digestLine(String token) {
        return DIGEST_PREFIX + HEX.formatHex(TokenFormat.sha256(token));
    }
}
