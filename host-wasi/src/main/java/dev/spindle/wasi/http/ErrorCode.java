package dev.spindle.wasi.http;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * wasi:http@0.2.x's {@code error-code} variant: a {@link Code} and, for the cases that carry one,
 * its payload ({@link DnsError}, {@link TlsAlert}, {@link FieldSize}, {@code Optional<Long>} for
 * the sizes, {@code Optional<FieldSize>}, {@code Optional<String>} for the codings and
 * {@code internal-error}). The rc-2023-10-18 interfaces have a four-case {@code error} instead;
 * {@link #rcCase()} and {@link #message()} map onto it.
 */
public record ErrorCode(Code code, Object payload) {

    /** The cases in WIT order; {@link #label()} is the WIT name. */
    public enum Code {
        DNS_TIMEOUT, DNS_ERROR, DESTINATION_NOT_FOUND, DESTINATION_UNAVAILABLE, DESTINATION_IP_PROHIBITED,
        DESTINATION_IP_UNROUTABLE, CONNECTION_REFUSED, CONNECTION_TERMINATED, CONNECTION_TIMEOUT,
        CONNECTION_READ_TIMEOUT, CONNECTION_WRITE_TIMEOUT, CONNECTION_LIMIT_REACHED, TLS_PROTOCOL_ERROR,
        TLS_CERTIFICATE_ERROR, TLS_ALERT_RECEIVED, HTTP_REQUEST_DENIED, HTTP_REQUEST_LENGTH_REQUIRED,
        HTTP_REQUEST_BODY_SIZE, HTTP_REQUEST_METHOD_INVALID, HTTP_REQUEST_URI_INVALID, HTTP_REQUEST_URI_TOO_LONG,
        HTTP_REQUEST_HEADER_SECTION_SIZE, HTTP_REQUEST_HEADER_SIZE, HTTP_REQUEST_TRAILER_SECTION_SIZE,
        HTTP_REQUEST_TRAILER_SIZE, HTTP_RESPONSE_INCOMPLETE, HTTP_RESPONSE_HEADER_SECTION_SIZE,
        HTTP_RESPONSE_HEADER_SIZE, HTTP_RESPONSE_BODY_SIZE, HTTP_RESPONSE_TRAILER_SECTION_SIZE,
        HTTP_RESPONSE_TRAILER_SIZE, HTTP_RESPONSE_TRANSFER_CODING, HTTP_RESPONSE_CONTENT_CODING,
        HTTP_RESPONSE_TIMEOUT, HTTP_UPGRADE_FAILED, HTTP_PROTOCOL_ERROR, LOOP_DETECTED, CONFIGURATION_ERROR,
        INTERNAL_ERROR;

        /** The WIT label, e.g. {@code DNS-timeout}, {@code HTTP-request-denied}. */
        public String label() {
            String[] words = name().toLowerCase(Locale.ROOT).split("_");
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < words.length; i++) {
                String w = words[i];
                boolean acronym = w.equals("dns") || w.equals("ip") || w.equals("tls") || w.equals("http") || w.equals("uri");
                b.append(i == 0 ? "" : "-").append(acronym ? w.toUpperCase(Locale.ROOT) : w);
            }
            return b.toString();
        }
    }

    /** {@code DNS-error-payload}. */
    public record DnsError(Optional<String> rcode, Optional<Integer> infoCode) {}

    /** {@code TLS-alert-received-payload}. */
    public record TlsAlert(Optional<Integer> alertId, Optional<String> alertMessage) {}

    /** {@code field-size-payload}. */
    public record FieldSize(Optional<String> fieldName, Optional<Long> fieldSize) {}

    public ErrorCode {
        Objects.requireNonNull(code, "code");
    }

    public static ErrorCode of(Code code) {
        return new ErrorCode(code, null);
    }

    /** {@code internal-error(some(message))}. */
    public static ErrorCode internal(String message) {
        return new ErrorCode(Code.INTERNAL_ERROR, Optional.of(message));
    }

    public static ErrorCode dnsError(String info) {
        return new ErrorCode(Code.DNS_ERROR, new DnsError(Optional.of(info), Optional.empty()));
    }

    /** {@code HTTP-response-body-size(some(limit))}. */
    public static ErrorCode responseBodySize(long limit) {
        return new ErrorCode(Code.HTTP_RESPONSE_BODY_SIZE, Optional.of(limit));
    }

    /** A one-line description: the label, plus the payload's message where it has one. */
    public String message() {
        if (payload instanceof Optional<?> o && o.isPresent() && o.get() instanceof String s) {
            return code.label() + ": " + s;
        }
        if (payload instanceof DnsError d && d.rcode().isPresent()) {
            return code.label() + ": " + d.rcode().get();
        }
        return code.label();
    }

    /**
     * The rc-2023-10-18 {@code error} case this maps to: 0 invalid-url, 1 timeout-error,
     * 2 protocol-error, 3 unexpected-error (its payload is {@link #message()}).
     */
    public int rcCase() {
        switch (code) {
            case HTTP_REQUEST_URI_INVALID:
            case HTTP_REQUEST_URI_TOO_LONG:
            case DNS_ERROR:
            case DESTINATION_NOT_FOUND:
                return 0;
            case DNS_TIMEOUT:
            case CONNECTION_TIMEOUT:
            case CONNECTION_READ_TIMEOUT:
            case CONNECTION_WRITE_TIMEOUT:
            case HTTP_RESPONSE_TIMEOUT:
                return 1;
            case HTTP_PROTOCOL_ERROR:
            case HTTP_RESPONSE_INCOMPLETE:
            case TLS_PROTOCOL_ERROR:
            case TLS_CERTIFICATE_ERROR:
            case TLS_ALERT_RECEIVED:
            case CONNECTION_TERMINATED:
                return 2;
            default:
                return 3;
        }
    }

    @Override
    public String toString() {
        return message();
    }
}
