package dev.keymeter.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed certificates made in the test by the JDK's own {@code keytool}: a key pair per party,
 * each trusting exactly the other's certificate. Enough for a real mutual TLS handshake on loopback.
 */
final class TestCertificates {

    private static final char[] PASSWORD = "changeit".toCharArray();

    private final KeyStore keys;
    private final String alias;

    private TestCertificates(KeyStore keys, String alias) {
        this.keys = keys;
        this.alias = alias;
    }

    /** A new key pair and certificate for {@code 127.0.0.1}, in {@code dir}. */
    static TestCertificates create(Path dir, String alias) throws IOException, InterruptedException,
            GeneralSecurityException {
        Path store = dir.resolve(alias + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + alias,
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        if (keytool.waitFor() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        return new TestCertificates(keys, alias);
    }

    KeyManagerFactory keyManagers() throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        return kmf;
    }

    /** Trusts this party's certificate only. */
    TrustManagerFactory trustingThis() throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(alias, keys.getCertificate(alias));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf;
    }
}
