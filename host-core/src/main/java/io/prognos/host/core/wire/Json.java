package io.prognos.host.core.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * The one JSON configuration of Prognos, used by every payload in and out (MQTT, REST, Kafka, the
 * command line): snake_case field names, ISO-8601 instants and durations, unknown fields refused
 * (a typo such as {@code "epoch"} must not silently train with defaults), nothing after the value,
 * and non-finite numbers written as {@code null} (JSON has no NaN; a metric that cannot be computed
 * is absent, not zero).
 */
public final class Json {

    private static final ObjectMapper MAPPER = build();

    private Json() {}

    /** The shared, thread-safe mapper. Configure nothing on it: it is shared. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Compact JSON bytes of a value built from wire records; they always serialise. */
    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a wire record did not serialise: " + value.getClass(), e);
        }
    }

    /** Indented JSON text, for people reading the command line's output. */
    public static String pretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a wire record did not serialise: " + value.getClass(), e);
        }
    }

    private static ObjectMapper build() {
        SimpleModule finite = new SimpleModule("prognos-finite-numbers");
        finite.addSerializer(Double.class, new FiniteDouble());
        finite.addSerializer(double.class, new FiniteDouble());
        finite.addDeserializer(double.class, new NullAsNaN());
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(finite)
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                // "23.5 kelvin" or a body with a second object after the first is not a reading
                // or request: without this, Jackson reads the first value and drops the rest.
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // {"value": 1, "value": 2} says two things: Jackson kept the last without a word.
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // ... and the other way: {"device_id": 5} or {"note": true} is not text. Jackson
                // takes any scalar as text by default, so a number sent where an id or a note is
                // asked was stored as its digits without a word.
                .withCoercionConfig(LogicalType.Textual, text -> {
                    for (CoercionInputShape shape : new CoercionInputShape[] {
                        CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean
                    }) {
                        text.setCoercion(shape, CoercionAction.Fail);
                    }
                })
                .build();
    }

    /**
     * The way back: a null where a double is expected is NaN, so that what was written reads back
     * (a consumer of alerts must not fail on a risk without a deviation rate). Only numbers are
     * numbers: text such as {@code "5"} is refused, as for every other scalar.
     */
    private static final class NullAsNaN extends StdDeserializer<Double> {
        private static final long serialVersionUID = 1L;

        NullAsNaN() {
            super(double.class);
        }

        @Override
        public Double deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT || p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
                return p.getDoubleValue();
            }
            return (Double) ctxt.handleUnexpectedToken(double.class, p);
        }

        @Override
        public Double getNullValue(DeserializationContext ctxt) {
            return Double.NaN;
        }
    }

    /** NaN and infinities have no JSON form; they are written as null. */
    private static final class FiniteDouble extends StdSerializer<Double> {
        private static final long serialVersionUID = 1L;

        FiniteDouble() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value == null || !Double.isFinite(value)) {
                gen.writeNull();
            } else {
                gen.writeNumber(value);
            }
        }
    }
}
