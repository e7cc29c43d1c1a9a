package io.prognos.host.core.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.prognos.api.BadRequestException;
import io.prognos.api.SensorId;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/** Binding request bodies to request records, every failure a {@link BadRequestException} naming the field. */
public final class Requests {

    private Requests() {}

    /** A request that takes no fields: one sent would be ignored, so it is refused instead. */
    public record NoFields() {}

    static SensorId sensor(String deviceId, String sensorKey) {
        if (deviceId == null) {
            throw new BadRequestException("device_id", "device_id is required");
        }
        if (sensorKey == null) {
            throw new BadRequestException("sensor_key", "sensor_key is required");
        }
        return SensorId.of(deviceId, sensorKey);
    }

    /** {@code body} (JSON bytes, empty means {}) as a {@code type}; never null. */
    public static <T> T bind(byte[] body, Class<T> type) {
        T bound;
        try {
            bound = Json.mapper().readValue(body.length == 0 ? "{}".getBytes() : body, type);
        } catch (UnrecognizedPropertyException e) {
            String field = field(e);
            throw new BadRequestException(
                    field, "unknown field '" + field + "'; known" + " fields are " + e.getKnownPropertyIds());
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof BadRequestException b) {
                throw b;
            }
            throw new BadRequestException(field(e), "bad request: " + e.getOriginalMessage());
        } catch (MismatchedInputException e) {
            // Jackson's own words name its classes and settings ("Cannot coerce String value to
            // `java.lang.Double` value (but might if coercion using `CoercionConfig` ...)"): the
            // caller needs the field and what it must be.
            if (e.getCause() instanceof BadRequestException b) {
                throw b;
            }
            if (e.getOriginalMessage().startsWith("Trailing token")) { // Jackson's only words for it
                throw new BadRequestException("body", "the request body goes on after its JSON value");
            }
            String field = field(e);
            String expected = expected(e.getTargetType());
            if (expected == null) {
                throw new BadRequestException(
                        field,
                        (field == null ? "the request" : field) + " has the wrong type: " + e.getOriginalMessage());
            }
            throw new BadRequestException(
                    field == null ? "body" : field, (field == null ? "the request" : field) + " must be " + expected);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof BadRequestException b) {
                throw b;
            }
            String field = field(e);
            throw new BadRequestException(
                    field, (field == null ? "the request" : field) + " has the wrong type: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new BadRequestException("body", "the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRequestException("body", "the request body cannot be read: " + e.getMessage());
        }
        if (bound == null) { // the JSON literal null, which Jackson binds to no object at all
            throw new BadRequestException("body", "the request must be " + expected(type));
        }
        return bound;
    }

    /** What a value of {@code type} is in JSON, in a caller's words; null for a type with no such words. */
    static String expected(Class<?> type) {
        if (type == null) {
            return null;
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type)
                || (type.isPrimitive() && type != boolean.class && type != char.class)) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a JSON array";
        }
        if (Map.class.isAssignableFrom(type) || (type.getName().startsWith("io.prognos.") && !type.isEnum())) {
            return "a JSON object";
        }
        return null;
    }

    private static String field(JsonMappingException e) {
        if (e.getPath().isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() > 0 ? "." : "").append(r.getFieldName());
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }
}
