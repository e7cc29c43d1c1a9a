package io.prognos.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Declares the configuration keys a component accepts: name, type, default, bounds, description,
 * and whether the value is secret. Declared once, it validates a whole configuration and names
 * every bad key, lists the keys for {@code --help}, and masks secrets for logs.
 */
public final class ConfigDef {

    public enum Type {
        INT,
        DOUBLE,
        BOOLEAN,
        STRING,
        DURATION
    }

    /**
     * One declared key. {@code min}/{@code max} bound numeric and duration values (durations in
     * seconds); null means unbounded. A null default makes the key optional with no value.
     */
    public record Key(
            String name,
            Type type,
            String defaultValue,
            Double min,
            Double max,
            String description,
            boolean secret,
            List<String> choices) {
        public Key {
            choices = choices == null ? List.of() : List.copyOf(choices);
        }
    }

    private final Map<String, Key> keys = new LinkedHashMap<>();

    public ConfigDef define(String name, Type type, String defaultValue, String description) {
        return define(new Key(name, type, defaultValue, null, null, description, false, null));
    }

    public ConfigDef define(String name, Type type, String defaultValue, double min, double max, String description) {
        return define(new Key(name, type, defaultValue, min, max, description, false, null));
    }

    /** A text key whose value must be one of {@code choices} (compared ignoring case). */
    public ConfigDef defineChoice(String name, String defaultValue, String description, String... choices) {
        return define(new Key(name, Type.STRING, defaultValue, null, null, description, false, List.of(choices)));
    }

    public ConfigDef defineSecret(String name, String description) {
        return define(new Key(name, Type.STRING, null, null, null, description, true, null));
    }

    public ConfigDef define(Key key) {
        if (keys.putIfAbsent(key.name(), key) != null) {
            throw new IllegalStateException("configuration key defined twice: " + key.name());
        }
        if (key.defaultValue() != null) {
            String problem = check(key, key.defaultValue());
            if (problem != null) {
                throw new IllegalStateException("default of " + key.name() + " is invalid: " + problem);
            }
        }
        return this;
    }

    public List<Key> keys() {
        return List.copyOf(keys.values());
    }

    /** Every problem in {@code values}: unknown keys and values that do not parse or are out of range. */
    public List<ConfigProblem> validate(Map<String, String> values) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            Key key = keys.get(e.getKey());
            if (key == null) {
                problems.add(new ConfigProblem(e.getKey(), "unknown key; known keys are " + keys.keySet()));
                continue;
            }
            String problem = check(key, e.getValue());
            if (problem != null) {
                problems.add(new ConfigProblem(key.name(), problem));
            }
        }
        return problems;
    }

    /** Validates and returns typed access; throws naming every bad key. */
    public Config parse(String owner, Map<String, String> values) {
        List<ConfigProblem> problems = validate(values);
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(owner, problems);
        }
        Map<String, String> effective = new LinkedHashMap<>();
        for (Key k : keys.values()) {
            String v = values.containsKey(k.name()) ? values.get(k.name()) : k.defaultValue();
            if (v != null) {
                effective.put(k.name(), canonical(k, v.trim()));
            }
        }
        return new Config(this, effective);
    }

    /**
     * A choice as declared, whatever its case in the configuration: "Live" and "LIVE" were accepted
     * as "live" and then read by an exact comparison as some other choice.
     */
    private static String canonical(Key k, String v) {
        return k.choices().stream()
                .filter(c -> c.equalsIgnoreCase(v))
                .findFirst()
                .orElse(v);
    }

    /** Values with secrets replaced, safe to log or report. */
    public Map<String, String> masked(Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            Key key = keys.get(k);
            out.put(k, key != null && key.secret() ? "******" : v);
        });
        return Collections.unmodifiableMap(out);
    }

    Key key(String name) {
        Key k = keys.get(name);
        if (k == null) {
            throw new IllegalArgumentException("undeclared configuration key: " + name);
        }
        return k;
    }

    private static String check(Key key, String raw) {
        if (raw == null) {
            return "a value is required";
        }
        String v = raw.trim();
        try {
            double numeric;
            switch (key.type()) {
                case INT -> numeric = Long.parseLong(v);
                case DOUBLE -> {
                    numeric = Double.parseDouble(v);
                    if (!Double.isFinite(numeric)) {
                        return "must be a finite number, got '" + raw + "'";
                    }
                }
                case DURATION -> numeric = parseDuration(v).toMillis() / 1000.0;
                case BOOLEAN -> {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                        return "must be true or false, got '" + raw + "'";
                    }
                    return null;
                }
                default -> {
                    // A blank token or password would be a credential anyone can send.
                    if (key.secret() && v.isEmpty()) {
                        return "must not be blank (leave the key out for none)";
                    }
                    if (!key.choices().isEmpty() && key.choices().stream().noneMatch(c -> c.equalsIgnoreCase(v))) {
                        return "must be one of " + key.choices() + ", got '" + raw + "'";
                    }
                    return null;
                }
            }
            if (key.min() != null && numeric < key.min()) {
                return "must be at least " + fmt(key.min()) + unit(key) + ", got '" + raw + "'";
            }
            if (key.max() != null && numeric > key.max()) {
                return "must be at most " + fmt(key.max()) + unit(key) + ", got '" + raw + "'";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return "expected " + describe(key.type()) + ", got '" + raw + "'";
        }
    }

    private static String unit(Key key) {
        return key.type() == Type.DURATION ? " seconds" : "";
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String describe(Type t) {
        return switch (t) {
            case INT -> "a whole number";
            case DOUBLE -> "a number";
            case BOOLEAN -> "true or false";
            case DURATION -> "a duration such as 90s, 15m, 1h, 2d or PT1H";
            case STRING -> "text";
        };
    }

    /** Parses {@code 500ms}, {@code 90s}, {@code 15m}, {@code 1h}, {@code 2d} or ISO-8601 {@code PT1H}. */
    public static Duration parseDuration(String text) {
        String v = text.trim();
        if (v.startsWith("P") || v.startsWith("p")) {
            return Duration.parse(v.toUpperCase());
        }
        int i = 0;
        while (i < v.length() && (Character.isDigit(v.charAt(i)) || v.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        double n = Double.parseDouble(v.substring(0, i));
        String unit = v.substring(i).trim().toLowerCase();
        double millis = switch (unit) {
            case "ms" -> n;
            case "s", "" -> n * 1_000;
            case "m", "min" -> n * 60_000;
            case "h" -> n * 3_600_000;
            case "d" -> n * 86_400_000;
            default -> throw new IllegalArgumentException("unknown duration unit: " + unit);
        };
        return Duration.ofMillis(Math.round(millis));
    }

    /** Typed view of a validated configuration. */
    public static final class Config {
        private final ConfigDef def;
        private final Map<String, String> values;

        Config(ConfigDef def, Map<String, String> values) {
            this.def = def;
            this.values = Collections.unmodifiableMap(values);
        }

        public int getInt(String name) {
            def.key(name);
            return Integer.parseInt(required(name));
        }

        public double getDouble(String name) {
            def.key(name);
            return Double.parseDouble(required(name));
        }

        public boolean getBoolean(String name) {
            def.key(name);
            return Boolean.parseBoolean(required(name));
        }

        public Duration getDuration(String name) {
            def.key(name);
            return parseDuration(required(name));
        }

        public String getString(String name) {
            def.key(name);
            return values.get(name);
        }

        public Map<String, String> values() {
            return values;
        }

        public Map<String, String> masked() {
            return def.masked(values);
        }

        private String required(String name) {
            String v = values.get(name);
            if (v == null) {
                throw new IllegalStateException("configuration key " + name + " has no value and no default");
            }
            return v;
        }
    }
}
