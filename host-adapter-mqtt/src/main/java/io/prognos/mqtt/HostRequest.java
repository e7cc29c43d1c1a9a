package io.prognos.mqtt;

/**
 * A request the host answers itself, on {@code {prefix}/requests/{kind}}: the adapter carries it as
 * it carries its own (the token checked, the answer on the request's response topic with its
 * correlation data), the host says what it does. For work the adapter does not own: the reference
 * host closes and lists alerts in its database this way ({@code close-alert}, {@code open-alerts}),
 * as its REST API does.
 *
 * <p>Runs on the adapter's thread for host requests, one at a time (at most 100 wait, beyond that
 * one is answered "busy"), never on the model-work thread, which readings need, nor on the MQTT
 * client's. A {@link io.prognos.api.PrognosException} is answered as REST answers it (its message,
 * field and reason); anything else as an internal error, logged.
 */
@FunctionalInterface
public interface HostRequest {

    /** The answer, written as JSON, to a request whose payload is {@code payload} (JSON bytes; empty for none). */
    Object answer(byte[] payload);
}
