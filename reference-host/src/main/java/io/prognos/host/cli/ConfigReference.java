package io.prognos.host.cli;

import io.prognos.api.ConfigDef;
import io.prognos.api.ForecastingPlugin;
import io.prognos.host.core.CycleSettings;
import io.prognos.host.runtime.HostConfig;
import io.prognos.jdbc.JdbcAdapter;
import io.prognos.kafka.KafkaSettings;
import io.prognos.mqtt.MqttAdapter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * docs/configuration.md, rendered from the {@link ConfigDef}s that validate the keys at start: the
 * declarations are the one source, and a test fails when the page no longer matches them.
 */
public final class ConfigReference {

    private ConfigReference() {}

    /** The page for the host, its cycle, both adapters and the given plugins. */
    public static String markdown(List<ForecastingPlugin> plugins) {
        Map<String, ConfigDef> sections = new LinkedHashMap<>();
        sections.put("Host (`prognos.*`)", HostConfig.CONFIG);
        sections.put(
                "Sensor cycle (`cycle.*`): the same for MQTT, Kafka, REST and the JDBC poller", CycleSettings.CONFIG);
        sections.put("PostgreSQL adapter (`jdbc.*`)", JdbcAdapter.CONFIG);
        sections.put("MQTT adapter (`mqtt.*`)", MqttAdapter.CONFIG);
        sections.put("Kafka adapter (`kafka.*`): runs when `kafka.bootstrap` is set", KafkaSettings.CONFIG);
        for (ForecastingPlugin p : plugins) {
            sections.put("Plugin `" + p.id() + "` (`" + p.id() + ".*`)", p.configDef());
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# Configuration\n\n")
                .append("<!-- Generated from the ConfigDef declarations by ConfigurationDocTest; do not edit.\n")
                .append("     Regenerate: mvn -B -q -pl reference-host -am test -Dtest=ConfigurationDocTest")
                .append(" -Dsurefire.failIfNoSpecifiedTests=false -Dprognos.docs.write=true -->\n\n")
                .append("Values come from a properties file (`--config FILE`, or `./prognos.properties` when")
                .append(" present), then environment variables (the key in upper case, dots and dashes as")
                .append(" underscores), then flags (`--KEY=VALUE`). Every key is validated before anything")
                .append(" starts, all problems at once, each naming its key; an unknown key is refused as a likely")
                .append(" typo, and a key set twice in the file or given twice among the flags is refused too")
                .append(" (the last would win without a word); an environment variable that starts like a key")
                .append(" (`LSTM_`, `MQTT_`, ...) but names")
                .append(" none is warned of at start with the nearest one (`LSTM_EPOCH`: did you mean")
                .append(" `LSTM_EPOCHS`?), not refused: other software shares those prefixes.")
                .append(" Secrets are masked in logs and in `status`. Durations: `500ms`, `30s`, `5m`, `1h`,")
                .append(" `7d`.\n");
        sections.forEach((title, def) -> {
            sb.append("\n## ").append(title).append("\n\n");
            sb.append("| key | environment | default | allowed | meaning |\n|---|---|---|---|---|\n");
            for (ConfigDef.Key k : def.keys()) {
                sb.append("| `")
                        .append(k.name())
                        .append("` | `")
                        .append(ConfigOptions.envName(k.name()))
                        .append("` | ")
                        .append(defaultOf(k))
                        .append(" | ")
                        .append(allowed(k))
                        .append(" | ")
                        .append(k.description().replace("|", "\\|"))
                        .append(" |\n");
            }
        });
        return sb.toString();
    }

    private static String defaultOf(ConfigDef.Key k) {
        if (k.secret()) {
            return "(secret)";
        }
        if (k.defaultValue() == null) {
            return "(none)";
        }
        return k.defaultValue().isEmpty() ? "\"\"" : "`" + k.defaultValue().replace("|", "\\|") + "`";
    }

    private static String allowed(ConfigDef.Key k) {
        if (!k.choices().isEmpty()) {
            return String.join(", ", k.choices());
        }
        String unit = k.type() == ConfigDef.Type.DURATION ? " s" : "";
        String type = k.type().name().toLowerCase(Locale.ROOT);
        if (k.min() != null && k.max() != null) {
            return String.format(Locale.ROOT, "%s, %s-%s%s", type, number(k.min()), number(k.max()), unit);
        }
        if (k.min() != null) {
            return String.format(Locale.ROOT, "%s, at least %s%s", type, number(k.min()), unit);
        }
        return type;
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
