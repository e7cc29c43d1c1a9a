package io.prognos.mqtt;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigProblem;
import io.prognos.api.InvalidConfigurationException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;

/**
 * A broker's refusal of a connect that trying again will not change, told as the configuration
 * key to mend: credentials the broker does not take, a client id it does not accept, a broker that
 * does not speak MQTT 5, a TLS certificate that is not trusted or not wanted. Start used to retry
 * those for its whole wait and then fail with a bare {@code TimeoutException} (measured: 32 s
 * against Mosquitto 2.0.11 refusing the password as {@code NOT_AUTHORIZED}, the reason only in the
 * reconnect warnings). A refusal that may pass
 * (server busy or unavailable, quotas, another server) and a broker not reachable yet are retried.
 */
final class BrokerRefusal {

    private BrokerRefusal() {}

    /** The refusal as a configuration error naming its key, when {@code cause} is one that retrying will not change. */
    static Optional<InvalidConfigurationException> of(Throwable cause, ConfigDef.Config config, String clientId) {
        Optional<ConfigProblem> tls = tls(cause, config);
        if (tls.isPresent()) {
            return Optional.of(new InvalidConfigurationException("the MQTT adapter", List.of(tls.get())));
        }
        if (!(cause instanceof Mqtt5ConnAckException refused)) {
            return Optional.empty();
        }
        Mqtt5ConnAckReasonCode code = refused.getMqttMessage().getReasonCode();
        String url = config.getString("mqtt.url");
        String key;
        String why;
        switch (code) {
            case NOT_AUTHORIZED, BAD_USER_NAME_OR_PASSWORD, BAD_AUTHENTICATION_METHOD, BANNED -> {
                boolean password = config.getString("mqtt.password") != null;
                boolean user = config.getString("mqtt.username") != null;
                key = password || !user ? "mqtt.password" : "mqtt.username";
                why = "the broker at " + url + " refused "
                        + (user || password ? "these credentials" : "a connect without credentials") + " for client "
                        + clientId + " (" + code + ")";
            }
            case CLIENT_IDENTIFIER_NOT_VALID -> {
                key = "mqtt.client-id";
                why = "the broker at " + url + " does not accept the client id " + clientId + " (" + code
                        + "; the adapter's second session uses the id + '-requests')";
            }
            case UNSUPPORTED_PROTOCOL_VERSION -> {
                key = "mqtt.url";
                why = "the broker at " + url + " does not speak MQTT 5 (" + code + ")";
            }
            default -> {
                return Optional.empty();
            }
        }
        return Optional.of(new InvalidConfigurationException("the MQTT adapter", List.of(new ConfigProblem(key, why))));
    }

    /**
     * A TLS handshake that failed on a certificate: the broker's is not trusted, not made out to
     * the URL's host or out of date, or the broker wants or refuses the client's. Each was retried
     * for the whole wait and then told in the JVM's words ("unable to find valid certification path
     * to requested target", "Received fatal alert: certificate_required").
     */
    private static Optional<ConfigProblem> tls(Throwable cause, ConfigDef.Config config) {
        SSLHandshakeException handshake = null;
        String innermost = null;
        boolean untrusted = false;
        boolean outOfDate = false;
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof SSLHandshakeException h && handshake == null) {
                handshake = h;
            }
            untrusted |= c instanceof CertPathBuilderException || c instanceof CertPathValidatorException;
            outOfDate |= c instanceof CertificateExpiredException || c instanceof CertificateNotYetValidException;
            if (c.getMessage() != null) {
                innermost = c.getMessage();
            }
        }
        if (handshake == null) {
            return Optional.empty();
        }
        String url = config.getString("mqtt.url");
        String ca = config.getString(BrokerTls.CA);
        String cert = config.getString(BrokerTls.CERT);
        String why = " (" + innermost + ")";
        String alert = String.valueOf(handshake.getMessage());
        if (outOfDate) {
            return Optional.of(new ConfigProblem(
                    "mqtt.url",
                    "the broker at " + url + " shows a certificate that has expired or is not valid yet" + why));
        }
        if (untrusted) {
            return Optional.of(new ConfigProblem(
                    BrokerTls.CA,
                    ca == null
                            ? "the broker at " + url
                                    + " shows a certificate that no CA in the JVM's trust store signed:"
                                    + " give the CA certificate that did as a PEM file in mqtt.tls-ca" + why
                            : "the broker at " + url + " shows a certificate that no CA in " + ca + " signed" + why));
        }
        if (innermost != null
                && (innermost.contains("subject alternative") || innermost.contains("No name matching"))) {
            return Optional.of(new ConfigProblem(
                    "mqtt.url",
                    "the broker's certificate is not made out to the host in " + url
                            + ": give the name it is made out to" + why));
        }
        if (alert.contains("certificate_required")) {
            return Optional.of(new ConfigProblem(
                    BrokerTls.CERT,
                    "the broker at " + url + " wants a client certificate: give it in mqtt.tls-cert and its key in"
                            + " mqtt.tls-key" + why));
        }
        if (cert != null
                && (alert.contains("bad_certificate")
                        || alert.contains("unknown_ca")
                        || alert.contains("certificate_unknown")
                        || alert.contains("decrypt_error")
                        || alert.contains("access_denied"))) {
            return Optional.of(new ConfigProblem(
                    BrokerTls.CERT,
                    "the broker at " + url + " refused the client certificate in " + cert
                            + " (is it signed by a CA the broker trusts, and does mqtt.tls-key hold its own key?)"
                            + why));
        }
        // Anything else (a handshake cut short, a broker restarting) may pass: tried again as before.
        return Optional.empty();
    }
}
