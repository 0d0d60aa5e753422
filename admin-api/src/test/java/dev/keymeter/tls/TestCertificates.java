package dev.keymeter.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made in the test, as PEM files in a directory: a CA ({@link #ca}), another CA that
 * nobody trusts ({@link #otherCa}), and leaf certificates they sign for servers (names
 * {@code localhost} and {@code 127.0.0.1}) and clients, valid or already expired. EC P-256, so that
 * making them takes milliseconds.
 */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final Authority ca;
    private final Authority otherCa;

    /** A certificate (leaf first) and its PKCS#8 key, as files. */
    public record Pem(Path certificate, Path privateKey) {
        public ServerTlsFiles server() {
            return new ServerTlsFiles(certificate, privateKey, null);
        }
    }

    private record Authority(String name, KeyPair keys, X509Certificate certificate, Path file) {
    }

    public TestCertificates(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            this.ca = authority("keymeter test CA");
            this.otherCa = authority("some other CA");
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make test certificates: " + e.getMessage(), e);
        }
    }

    /** The trusted CA's certificate (PEM). */
    public Path ca() {
        return ca.file();
    }

    /** A CA nobody here trusts (PEM). */
    public Path otherCa() {
        return otherCa.file();
    }

    /** A server certificate for localhost / 127.0.0.1 from the trusted CA, valid for a day. */
    public Pem server(String fileName) {
        return leaf(fileName, ca, true, Duration.ofDays(1));
    }

    /** A client certificate from the trusted CA, valid for a day. */
    public Pem client(String fileName) {
        return leaf(fileName, ca, false, Duration.ofDays(1));
    }

    /** A client certificate from the untrusted CA. */
    public Pem clientFromOtherCa(String fileName) {
        return leaf(fileName, otherCa, false, Duration.ofDays(1));
    }

    /** A server certificate from the untrusted CA. */
    public Pem serverFromOtherCa(String fileName) {
        return leaf(fileName, otherCa, true, Duration.ofDays(1));
    }

    /** A certificate from the trusted CA that expired an hour ago. */
    public Pem expired(String fileName, boolean server) {
        return leaf(fileName, ca, server, Duration.ofHours(-1));
    }

    /**
     * An {@link javax.net.ssl.SSLContext} for a client (an HTTPS scrape) that trusts this CA and
     * presents {@code client} (none when null).
     */
    public javax.net.ssl.SSLContext clientContext(Pem client) throws Exception {
        io.grpc.util.AdvancedTlsX509TrustManager trust = io.grpc.util.AdvancedTlsX509TrustManager.newBuilder().build();
        trust.updateTrustCredentials(ca().toFile());
        javax.net.ssl.KeyManager[] keys = null;
        if (client != null) {
            io.grpc.util.AdvancedTlsX509KeyManager key = new io.grpc.util.AdvancedTlsX509KeyManager();
            key.updateIdentityCredentials(client.certificate().toFile(), client.privateKey().toFile());
            keys = new javax.net.ssl.KeyManager[] {key};
        }
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(keys, new javax.net.ssl.TrustManager[] {trust}, null);
        return context;
    }

    /**
     * Replaces {@code target}'s files with {@code replacement}'s the way cert-manager does: written
     * beside, then moved over, so a reader never sees half a file. The modification time is pushed a
     * few seconds on, so that a reload that compares times sees a change even on a coarse clock.
     */
    public static void replace(Pem target, Pem replacement) throws IOException {
        for (Path[] pair : new Path[][] {{replacement.certificate(), target.certificate()},
                {replacement.privateKey(), target.privateKey()}}) {
            Path staged = pair[1].resolveSibling(pair[1].getFileName() + ".new");
            Files.copy(pair[0], staged, StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(staged, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(3)));
            Files.move(staged, pair[1], StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private Pem leaf(String fileName, Authority issuer, boolean server, Duration validFor) {
        try {
            KeyPair keys = keyPair();
            Instant now = Instant.now();
            Instant notAfter = now.plus(validFor);
            Instant notBefore = validFor.isNegative() ? notAfter.minus(Duration.ofDays(1)) : now.minus(Duration.ofHours(1));
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    new X500Name("CN=" + issuer.name()), serial(), Date.from(notBefore), Date.from(notAfter),
                    new X500Name("CN=" + fileName), keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
            if (server) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            }
            X509Certificate certificate = sign(builder, issuer.keys().getPrivate());
            Path certFile = dir.resolve(fileName + ".crt");
            Path keyFile = dir.resolve(fileName + ".key");
            writePem(certFile, certificate);
            writePem(keyFile, new JcaPKCS8Generator(keys.getPrivate(), null));
            return new Pem(certFile, keyFile);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make certificate " + fileName + ": " + e.getMessage(), e);
        }
    }

    private Authority authority(String name) throws IOException, GeneralSecurityException, OperatorCreationException {
        KeyPair keys = keyPair();
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=" + name), serial(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))),
                new X500Name("CN=" + name), keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate certificate = sign(builder, keys.getPrivate());
        Path file = dir.resolve(name.replace(' ', '-') + ".crt");
        writePem(file, certificate);
        return new Authority(name, keys, certificate, file);
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
            throws GeneralSecurityException, OperatorCreationException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey);
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static void writePem(Path file, Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        Files.writeString(file, text.toString());
    }
}
