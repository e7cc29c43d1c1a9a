package io.prognos.host.core.wire;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A refused request (REST) or request reply (MQTT): {@code success} false, the message, and the
 * request field at fault when there is one; {@code reason} says why a retry may help.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorMessage(boolean success, String error, String field, String reason) {

    public static ErrorMessage of(String error, String field) {
        return new ErrorMessage(false, error, field, null);
    }
}
