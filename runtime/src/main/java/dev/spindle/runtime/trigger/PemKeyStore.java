package dev.spindle.runtime.trigger;

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
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP trigger's TLS identity from two PEM files, as {@code spin up --tls-cert --tls-key} takes
 * them: a certificate chain (leaf first) and an unencrypted private key, PKCS#8
 * ({@code BEGIN PRIVATE KEY}: RSA, EC or Ed25519) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}).
 * Every failure is one line naming the file.
 */
final class PemKeyStore {
    /** The in-memory key store's password; it never leaves this process. */
    static final String PASSWORD = "spindle";
    /** A PEM file larger than this is not a certificate or a key. */
    static final long MAX_PEM_BYTES = 1 << 20;
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private PemKeyStore() {}

    /** @throws IllegalArgumentException with a one-line reason naming the file */
    static KeyStore load(Path certPem, Path keyPem) {
        List<? extends Certificate> chain = certificates(certPem);
        PrivateKey key = privateKey(keyPem);
        if (!belongTogether(key, chain.get(0).getPublicKey())) {
            throw new IllegalArgumentException("--tls-key " + keyPem + " does not match --tls-cert " + certPem
                    + ": the key is not the certificate's (the first certificate must be the server's)");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("spindle", key, PASSWORD.toCharArray(), chain.toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("--tls-key " + keyPem + " does not match --tls-cert " + certPem + ": " + e.getMessage());
        }
    }

    /** Signs a probe with the private key and checks it with the certificate's public key. */
    static boolean belongTogether(PrivateKey key, java.security.PublicKey certificateKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, EdDSA
        };
        try {
            byte[] probe = "spindle".getBytes(StandardCharsets.US_ASCII);
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(certificateKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an EC key for an RSA certificate
        }
    }

    static List<? extends Certificate> certificates(Path pem) {
        String text = read(pem, "--tls-cert");
        try {
            List<? extends Certificate> chain = List.copyOf(CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII))));
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("--tls-cert " + pem + " holds no PEM certificate (BEGIN CERTIFICATE)");
            }
            return chain;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--tls-cert " + pem + " is not a PEM certificate chain: " + e.getMessage());
        }
    }

    static PrivateKey privateKey(Path pem) {
        String text = read(pem, "--tls-key");
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--tls-key " + pem + ": the " + type + " block is not valid base64");
            }
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(pem, der);
                case "RSA PRIVATE KEY":
                    return pkcs8(pem, rsaPkcs1ToPkcs8(der));
                case "ENCRYPTED PRIVATE KEY":
                    throw new IllegalArgumentException("--tls-key " + pem + " is encrypted; give an unencrypted key "
                            + "(openssl pkcs8 -in KEY -nocrypt -out key.pem)");
                case "EC PRIVATE KEY":
                    throw new IllegalArgumentException("--tls-key " + pem + " is a SEC1 EC key; convert it to PKCS#8 "
                            + "(openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem)");
                default:
                    break; // e.g. EC PARAMETERS before the key
            }
        }
        throw new IllegalArgumentException("--tls-key " + pem + " holds no PEM private key (BEGIN PRIVATE KEY)");
    }

    private static PrivateKey pkcs8(Path pem, byte[] der) {
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "EdDSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("--tls-key " + pem + " is not an RSA, EC or Ed25519 private key");
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, NULL). */
    static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(version);
        body.writeBytes(algorithm);
        body.writeBytes(derHeader(0x04, pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(derHeader(0x30, body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derHeader(int tag, int length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
        byte[] h = new byte[2 + bytes];
        h[0] = (byte) tag;
        h[1] = (byte) (0x80 | bytes);
        for (int i = 0; i < bytes; i++) {
            h[2 + i] = (byte) (length >>> (8 * (bytes - 1 - i)));
        }
        return h;
    }

    private static String read(Path pem, String option) {
        try {
            if (!Files.isRegularFile(pem)) {
                throw new IllegalArgumentException(option + " " + pem + " is not a readable file");
            }
            if (Files.size(pem) > MAX_PEM_BYTES) {
                throw new IllegalArgumentException(option + " " + pem + " is larger than " + MAX_PEM_BYTES + " bytes; not a PEM file");
            }
            return Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + pem + " cannot be read: " + e.getMessage());
        }
    }
}
