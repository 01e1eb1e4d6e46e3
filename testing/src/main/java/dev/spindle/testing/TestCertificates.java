package dev.spindle.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway certificate authority and a server certificate it signed, made with {@code openssl}
 * for one test server: valid for one day, subject alternative names {@code IP:127.0.0.1} and
 * {@code DNS:localhost}, EC P-256 keys (fast to generate). Nothing here is ever trusted outside
 * the test that made it.
 *
 * @param caCertificate PEM file of the CA certificate (give it to clients as their trust anchor)
 * @param serverCertificate PEM file of the server certificate
 * @param serverKey PEM file of the server's private key (unencrypted)
 */
public record TestCertificates(Path caCertificate, Path serverCertificate, Path serverKey) {

  /** System property naming the openssl binary explicitly (default /usr/bin/openssl, then PATH). */
  public static final String OPENSSL_PROPERTY = "spindle.openssl";

  /** An openssl step on a healthy machine takes milliseconds; this only bounds a hung one. */
  private static final long STEP_TIMEOUT_SECONDS = 30;

  /** Writes {@code ca.crt}, {@code ca.key}, {@code server.crt}, {@code server.key} into {@code dir}. */
  public static TestCertificates generate(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    Path caKey = dir.resolve("ca.key");
    Path caCrt = dir.resolve("ca.crt");
    Path key = dir.resolve("server.key");
    Path csr = dir.resolve("server.csr");
    Path crt = dir.resolve("server.crt");
    Path ext = dir.resolve("server.ext");
    String openssl = openssl();
    run(dir, openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", caKey.toString(), "-out", caCrt.toString(), "-days", "1",
        "-subj", "/CN=Spindle test CA " + dir.getFileName());
    run(dir, openssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=localhost");
    try {
      Files.writeString(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
          + "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n", StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + ext, e);
    }
    run(dir, openssl, "x509", "-req", "-in", csr.toString(), "-CA", caCrt.toString(),
        "-CAkey", caKey.toString(), "-CAcreateserial", "-out", crt.toString(), "-days", "1",
        "-extfile", ext.toString());
    return new TestCertificates(caCrt, crt, key);
  }

  /** A socket factory trusting only {@link #caCertificate()} (for test clients). */
  public SSLSocketFactory socketFactory() {
    return socketFactory(caCertificate);
  }

  /** A socket factory trusting only the certificates in the PEM file {@code caPem}. */
  public static SSLSocketFactory socketFactory(Path caPem) {
    try (InputStream in = Files.newInputStream(caPem)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + caPem, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot use " + caPem + " as a trust anchor", e);
    }
  }

  private static String openssl() {
    String explicit = System.getProperty(OPENSSL_PROPERTY);
    if (explicit != null && !explicit.isBlank()) {
      return explicit;
    }
    return Files.isExecutable(Path.of("/usr/bin/openssl")) ? "/usr/bin/openssl" : "openssl";
  }

  private static void run(Path dir, String... command) {
    Path out = dir.resolve("openssl.out");
    try {
      Process p = new ProcessBuilder(command)
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(out.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      if (!p.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("openssl did not finish within " + STEP_TIMEOUT_SECONDS + " s: "
            + String.join(" ", command));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("openssl failed (exit " + p.exitValue() + "): "
            + String.join(" ", command) + "\n" + Files.readString(out, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", List.of(command))
          + " (install openssl or set -D" + OPENSSL_PROPERTY + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running openssl", e);
    }
  }
}
