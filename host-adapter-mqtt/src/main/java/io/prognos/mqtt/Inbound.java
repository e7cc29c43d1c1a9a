package io.prognos.mqtt;

import java.util.List;
import java.util.Map;

/**
 * A message as the adapter's jobs need it, whatever the MQTT client library: the topic, the
 * payload and the MQTT 5 request/response properties ({@code responseTopic} and
 * {@code correlationData} null when absent), and how to acknowledge it to the broker (messages are
 * acknowledged by hand: a reading only once it is durable, see {@link Acknowledger}).
 */
record Inbound(
        String topic,
        byte[] payload,
        String responseTopic,
        byte[] correlationData,
        List<Map.Entry<String, String>> userProperties,
        Runnable acknowledge) {}
