package io.prognos.mqtt;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigProblem;
import io.prognos.api.InvalidConfigurationException;
import java.util.List;
import java.util.Optional;

/**
 * A broker's refusal of a connect that trying again will not change, told as the configuration
 * key to mend: credentials the broker does not take, a client id it does not accept, a broker that
 * does not speak MQTT 5. Start used to retry those for its whole wait and then fail with a bare
 * {@code TimeoutException} (measured: 32 s against Mosquitto 2.0.11 refusing the password as
 * {@code NOT_AUTHORIZED}, the reason only in the reconnect warnings). A refusal that may pass
 * (server busy or unavailable, quotas, another server) and a broker not reachable yet are retried.
 */
final class BrokerRefusal {

    private BrokerRefusal() {}

    /** The refusal as a configuration error naming its key, when {@code cause} is one that retrying will not change. */
    static Optional<InvalidConfigurationException> of(Throwable cause, ConfigDef.Config config, String clientId) {
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
}
