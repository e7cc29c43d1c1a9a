package io.prognos.host.demo;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A Paho callback that takes messages and ignores the rest: Paho's interface has six methods, a subscriber needs one. */
@FunctionalInterface
public interface OnMessage extends MqttCallback {

    @Override
    void messageArrived(String topic, MqttMessage message) throws Exception;

    @Override
    default void disconnected(MqttDisconnectResponse response) {}

    @Override
    default void mqttErrorOccurred(MqttException exception) {}

    @Override
    default void deliveryComplete(IMqttToken token) {}

    @Override
    default void connectComplete(boolean reconnect, String serverUri) {}

    @Override
    default void authPacketArrived(int reasonCode, MqttProperties properties) {}
}
