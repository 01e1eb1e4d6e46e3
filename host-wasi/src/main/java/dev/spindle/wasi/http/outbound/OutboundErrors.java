package dev.spindle.wasi.http.outbound;

import dev.spindle.wasi.http.ErrorCode;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertificateException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/** Maps what the JDK's HTTP client throws to wasi:http's {@code error-code}. */
final class OutboundErrors {
    private OutboundErrors() {}

    static ErrorCode of(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof HttpConnectTimeoutException) {
            return ErrorCode.of(ErrorCode.Code.CONNECTION_TIMEOUT);
        }
        if (t instanceof HttpTimeoutException) {
            return ErrorCode.of(ErrorCode.Code.CONNECTION_READ_TIMEOUT);
        }
        if (has(t, UnresolvedAddressException.class) || has(t, UnknownHostException.class)) {
            return ErrorCode.dnsError("cannot resolve the host");
        }
        if (has(t, ConnectException.class)) {
            return ErrorCode.of(ErrorCode.Code.CONNECTION_REFUSED);
        }
        if (has(t, CertificateException.class) || (t instanceof SSLHandshakeException && String.valueOf(t.getMessage()).contains("PKIX"))) {
            return ErrorCode.of(ErrorCode.Code.TLS_CERTIFICATE_ERROR);
        }
        if (has(t, SSLException.class)) {
            return ErrorCode.of(ErrorCode.Code.TLS_PROTOCOL_ERROR);
        }
        if (has(t, EOFException.class) || String.valueOf(t.getMessage()).contains("closed")) {
            return ErrorCode.of(ErrorCode.Code.CONNECTION_TERMINATED);
        }
        if (t instanceof IOException) {
            return ErrorCode.of(ErrorCode.Code.HTTP_PROTOCOL_ERROR);
        }
        return ErrorCode.internal(t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
    }

    private static boolean has(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
