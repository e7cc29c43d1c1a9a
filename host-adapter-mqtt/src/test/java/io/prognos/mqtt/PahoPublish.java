package io.prognos.mqtt;

import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;

/** The tests' devices publish through Paho's synchronous MQTT 5 client, with a workaround for one of its bugs. */
final class PahoPublish {

    private PahoPublish() {}

    /**
     * Publishes with QoS 1 and waits for the acknowledgement. Paho's MQTT 5 client can refuse a
     * synchronous publish with 32202 "Too many publishes in progress" although nothing else is in
     * flight, more often on a loaded machine (eclipse-paho/paho.mqtt.java#993; a CI run failed on
     * it): the message was not sent, so it is sent again after a pause.
     */
    static void qos1(MqttClient client, String topic, byte[] payload) throws MqttException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                client.publish(topic, payload, 1, false);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT || attempt > 1000) {
                    throw e;
                }
                Thread.sleep(5);
            }
        }
    }
}
