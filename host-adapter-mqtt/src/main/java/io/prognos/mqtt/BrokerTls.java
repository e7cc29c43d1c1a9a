package io.prognos.mqtt;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientSslConfigBuilder;
import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigProblem;
import io.prognos.api.InvalidConfigurationException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS of an {@code ssl://} broker from PEM files, as a plant's broker hands them out (Mosquitto's
 * {@code cafile}, a cloud broker's device certificate and key): {@code mqtt.tls-ca}, the CA
 * certificates that sign the broker's (else the JVM's trust store), and {@code mqtt.tls-cert} with
 * {@code mqtt.tls-key}, the client's certificate and unencrypted private key for a broker that
 * wants one (PKCS#8, or PKCS#1 RSA as AWS IoT gives it). Before these, a broker with a private CA
 * took a JKS trust store made with keytool and JVM flags, and the start tried for 30 s, saying
 * only "unable to find valid certification path to requested target".
 */
final class BrokerTls {

    static final String CA = "mqtt.tls-ca";
    static final String CERT = "mqtt.tls-cert";
    static final String KEY = "mqtt.tls-key";

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    /** rsaEncryption's AlgorithmIdentifier: a PKCS#1 key is this and its bytes in a PKCS#8 envelope. */
    private static final byte[] RSA_ALGORITHM = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };

    private BrokerTls() {}

    /**
     * The client's TLS configuration for a TLS URL (the JVM's trust store and no client certificate
     * where no file is given), or empty for plain TCP.
     *
     * @throws InvalidConfigurationException naming the key: a file missing or not what it should
     *     be, a certificate without its key or the other way round, TLS files for a {@code tcp://} URL
     */
    static Optional<MqttClientSslConfig> of(ConfigDef.Config config, boolean tls) {
        String ca = config.getString(CA);
        String cert = config.getString(CERT);
        String key = config.getString(KEY);
        List<ConfigProblem> problems = new ArrayList<>();
        if (!tls) {
            for (String k : List.of(CA, CERT, KEY)) {
                if (config.getString(k) != null) {
                    problems.add(new ConfigProblem(
                            k, "is for a broker spoken to over TLS: mqtt.url starts with ssl:// (or mqtts://)"));
                }
            }
            failOn(problems);
            return Optional.empty();
        }
        if ((cert == null) != (key == null)) {
            problems.add(new ConfigProblem(
                    cert == null ? CERT : KEY,
                    "a client certificate takes both mqtt.tls-cert and mqtt.tls-key, the certificate and its private"
                            + " key"));
        }
        MqttClientSslConfigBuilder b = MqttClientSslConfig.builder();
        try {
            if (ca != null) {
                KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
                trusted.load(null, null);
                List<Certificate> cas = certificates(Path.of(ca), CA, problems);
                for (int i = 0; i < cas.size(); i++) {
                    trusted.setCertificateEntry("ca-" + i, cas.get(i));
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trusted);
                b = b.trustManagerFactory(tmf);
            }
            if (cert != null && key != null) {
                List<Certificate> chain = certificates(Path.of(cert), CERT, problems);
                PrivateKey privateKey = privateKey(Path.of(key), problems);
                if (!chain.isEmpty() && privateKey != null) {
                    KeyStore own = KeyStore.getInstance(KeyStore.getDefaultType());
                    own.load(null, null);
                    char[] none = new char[0];
                    own.setKeyEntry("client", privateKey, none, chain.toArray(Certificate[]::new));
                    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    kmf.init(own, none);
                    b = b.keyManagerFactory(kmf);
                }
            }
        } catch (GeneralSecurityException | IOException e) {
            // The JVM's own stores and algorithms; not the user's files, which are checked above.
            throw new IllegalStateException("TLS setup failed: " + e.getMessage(), e);
        }
        failOn(problems);
        return Optional.of(b.build());
    }

    private static void failOn(List<ConfigProblem> problems) {
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException("the MQTT adapter", problems);
        }
    }

    private static List<Certificate> certificates(Path file, String key, List<ConfigProblem> problems) {
        String text = read(file, key, problems);
        if (text == null) {
            return List.of();
        }
        List<Certificate> out = new ArrayList<>();
        try {
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            Matcher m = PEM.matcher(text);
            while (m.find()) {
                if (m.group(1).equals("CERTIFICATE")) {
                    out.add(x509.generateCertificate(new ByteArrayInputStream(decode(m.group(2)))));
                }
            }
        } catch (CertificateException | IllegalArgumentException e) {
            problems.add(new ConfigProblem(key, file + " holds a certificate that cannot be read: " + e.getMessage()));
            return List.of();
        }
        if (out.isEmpty()) {
            problems.add(new ConfigProblem(key, file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
        }
        return out;
    }

    private static PrivateKey privateKey(Path file, List<ConfigProblem> problems) {
        String text = read(file, KEY, problems);
        if (text == null) {
            return null;
        }
        Matcher m = PEM.matcher(text);
        if (!m.find()) {
            problems.add(new ConfigProblem(KEY, file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)"));
            return null;
        }
        String type = m.group(1);
        byte[] der;
        try {
            der = decode(m.group(2));
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(KEY, file + " is not valid PEM: " + e.getMessage()));
            return null;
        }
        List<String> algorithms;
        switch (type) {
            case "PRIVATE KEY" -> algorithms = List.of("RSA", "EC", "Ed25519");
            case "RSA PRIVATE KEY" -> {
                der = pkcs8(der);
                algorithms = List.of("RSA");
            }
            default -> {
                String what = type.contains("CERTIFICATE")
                        ? " holds a certificate, not a private key"
                        : type.contains("ENCRYPTED")
                                ? " holds an encrypted key"
                                : " holds a " + type + ", which is not read";
                problems.add(new ConfigProblem(
                        KEY,
                        file + what + ": give an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt -in KEY -out"
                                + " KEY.pk8)"));
                return null;
            }
        }
        for (String algorithm : algorithms) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        problems.add(new ConfigProblem(KEY, file + " holds a " + type + " that is no RSA, EC or Ed25519 key"));
        return null;
    }

    private static String read(Path file, String key, List<ConfigProblem> problems) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            problems.add(new ConfigProblem(key, "cannot read " + file + " (" + e + ")"));
            return null;
        }
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64.trim());
    }

    /** A PKCS#1 RSA key in the PKCS#8 envelope the JDK reads: version 0, rsaEncryption, the key as an octet string. */
    static byte[] pkcs8(byte[] pkcs1) {
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        inner.writeBytes(new byte[] {0x02, 0x01, 0x00});
        inner.writeBytes(RSA_ALGORITHM);
        inner.write(0x04);
        inner.writeBytes(derLength(pkcs1.length));
        inner.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(derLength(inner.size()));
        out.writeBytes(inner.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derLength(int n) {
        if (n < 0x80) {
            return new byte[] {(byte) n};
        }
        if (n < 0x100) {
            return new byte[] {(byte) 0x81, (byte) n};
        }
        if (n < 0x10000) {
            return new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        }
        return new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }
}
