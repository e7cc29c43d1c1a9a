package io.prognos.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.prognos.api.SensorId;
import io.prognos.host.core.wire.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON columns of an {@code lstm_models} row ({@code metrics}, {@code train_options}) read as a
 * person may have left them: what is usable is kept, the rest is left out with a warning, and the
 * model itself is listed and served either way. The warning is said once per sensor, column and
 * content: the models are listed on every dashboard refresh.
 */
final class ModelRowJson {

    private static final Logger LOG = LoggerFactory.getLogger(ModelRowJson.class);

    private final Set<String> told = ConcurrentHashMap.newKeySet();

    /** The row's figures: numbers kept; a JSON null (the column or a figure) means none. */
    Map<String, Double> metrics(SensorId sensor, String column) {
        JsonNode root = object(sensor, "metrics", column);
        if (root == null) {
            return Map.of();
        }
        List<String> left = new ArrayList<>();
        Map<String, Double> out =
                usable(root, v -> v.isNumber() && Double.isFinite(v.doubleValue()) ? v.doubleValue() : null, left);
        if (!left.isEmpty()) {
            tell(sensor, "metrics", column, "the figures " + left + " are not finite numbers; left out");
        }
        return out;
    }

    /**
     * The options the row's model was trained with; none when they belong to another model version
     * (a row saved by a host before V6 keeps the column of the model before). The host writes text;
     * a number or a truth value written by hand ({@code {"epochs": 5}}) is taken as its text, as a
     * person means it, and the plugin checks it when the model is trained again.
     */
    Map<String, String> trainOptions(SensorId sensor, String modelVersion, String column) {
        JsonNode root = object(sensor, "train_options", column);
        if (root == null) {
            return Map.of();
        }
        if (!modelVersion.equals(root.path("model_version").asText(null))) {
            return Map.of();
        }
        JsonNode options = root.path("options");
        if (options.isNull() || options.isMissingNode()) {
            return Map.of();
        }
        if (!options.isObject()) {
            tell(sensor, "train_options", column, "its options are not a JSON object; read as none");
            return Map.of();
        }
        List<String> left = new ArrayList<>();
        Map<String, String> out = usable(options, v -> v.isValueNode() ? v.asText() : null, left);
        if (!left.isEmpty()) {
            tell(sensor, "train_options", column, "the options " + left + " are not single values; left out");
        }
        return out;
    }

    /**
     * What {@code take} makes of each of {@code object}'s values, by key; a value it cannot take
     * (null from it) has its key added to {@code left}, a JSON null is none and left out quietly.
     */
    private static <V> Map<String, V> usable(JsonNode object, Function<JsonNode, V> take, List<String> left) {
        Map<String, V> out = new LinkedHashMap<>();
        object.properties().forEach(e -> {
            V v = e.getValue().isNull() ? null : take.apply(e.getValue());
            if (v != null) {
                out.put(e.getKey(), v);
            } else if (!e.getValue().isNull()) {
                left.add(e.getKey());
            }
        });
        return out;
    }

    /** The column as a JSON object; null for none (SQL or JSON null) and for one that is not. */
    private JsonNode object(SensorId sensor, String name, String column) {
        if (column == null) {
            return null;
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(column);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null
                    ? ""
                    : " (at character " + e.getLocation().getCharOffset() + ")";
            tell(sensor, name, column, "it is not JSON" + at + "; read as none");
            return null;
        }
        if (root == null || root.isNull()) {
            return null;
        }
        if (!root.isObject()) {
            tell(sensor, name, column, "it is not a JSON object; read as none");
            return null;
        }
        return root;
    }

    private void tell(SensorId sensor, String name, String column, String what) {
        if (told.add(sensor + "\u0000" + name + "\u0000" + column)) {
            LOG.warn("{}: the model row's {} column, edited by hand, cannot all be read: {}", sensor, name, what);
        }
    }
}
