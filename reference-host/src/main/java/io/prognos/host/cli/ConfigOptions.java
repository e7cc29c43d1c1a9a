package io.prognos.host.cli;

import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigProblem;
import io.prognos.api.InvalidConfigurationException;
import io.prognos.host.runtime.HostConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Configuration for every command, from three sources in rising precedence: a properties file
 * ({@code --config FILE}, or {@code ./prognos.properties} when present), environment variables
 * (the key in upper case with dots and dashes as underscores: {@code jdbc.url} is
 * {@code JDBC_URL}), and flags.
 *
 * <p>The keys are declared by {@link ConfigDef}s (host, adapters, plugin), not by picocli: a flag is
 * {@code --KEY=VALUE} or {@code --KEY VALUE}, where KEY is a full key ({@code --lstm.epochs=30}) or
 * a host key without its {@code prognos.} prefix ({@code --data-dir DIR}). Whether a key exists
 * and its value is valid is decided where the keys are declared, naming every bad key at once.
 */
public final class ConfigOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "a properties file of configuration keys")
    Path configFile;

    /** The command this is mixed into: its unmatched arguments are the configuration flags. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /**
     * Mixes these options into a command of another module ({@code evaluate}, {@code nab}), which
     * cannot declare them: picocli does not tell a mixin added this way whom it is mixed into, so
     * its flags went unread (silently: an experiment's {@code --lstm.horizon=6} changed nothing).
     */
    CommandLine mixedInto(CommandLine command) {
        command.addMixin("config", this);
        mixee = command.getCommandSpec();
        return command;
    }

    /** The configuration from file, environment (for the {@code known} keys) and flags. */
    public Map<String, String> resolve(Collection<ConfigDef.Key> known, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        Path file = configFile != null ? configFile : Path.of("prognos.properties");
        if (configFile != null || Files.isRegularFile(file)) {
            List<ConfigProblem> twice = new ArrayList<>();
            Properties p = new Properties() {
                @Override
                public synchronized Object put(Object key, Object value) {
                    Object before = super.put(key, value);
                    if (before != null) { // Properties would keep the last without a word
                        twice.add(new ConfigProblem(
                                (String) key, "set more than once in " + file + ": which one is meant?"));
                    }
                    return before;
                }
            };
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IOException e) {
                throw bad("--config", "cannot read configuration file " + file + ": " + e.getMessage());
            }
            if (!twice.isEmpty()) {
                throw new InvalidConfigurationException("the configuration file", twice);
            }
            p.stringPropertyNames().forEach(k -> values.put(k, p.getProperty(k).trim()));
        }
        for (ConfigDef.Key k : known) {
            String v = env.get(envName(k.name()));
            if (v != null) {
                values.put(k.name(), v);
            }
        }
        values.putAll(flags());
        return values;
    }

    /**
     * Environment variables named like configuration keys (they start as one does: {@code LSTM_},
     * {@code MQTT_}, ...) that name none, each with the nearest that does when it is within two
     * edits. Only the keys' own variables are read, so a misspelt {@code LSTM_EPOCH} would train
     * with the default epochs and say nothing; a flag or file key so misspelt is refused. These are
     * warned of, not refused: other software shares the prefixes ({@code KAFKA_HEAP_OPTS}).
     */
    static List<String> unknownEnvironment(Collection<ConfigDef.Key> known, Map<String, String> env) {
        List<String> names = known.stream().map(k -> envName(k.name())).toList();
        List<String> prefixes = names.stream()
                .map(n -> n.substring(0, n.indexOf('_') + 1))
                .distinct()
                .toList();
        List<String> out = new ArrayList<>();
        env.keySet().stream().sorted().forEach(var -> {
            if (names.contains(var) || prefixes.stream().noneMatch(var::startsWith)) {
                return;
            }
            String nearest = null;
            int best = 3;
            for (String n : names) {
                int d = editDistance(var, n);
                if (d < best) {
                    best = d;
                    nearest = n;
                }
            }
            out.add("environment variable " + var + " names no configuration key and is ignored"
                    + (nearest == null ? "" : "; did you mean " + nearest + "?"));
        });
        return out;
    }

    /** Levenshtein's distance: insertions, deletions and substitutions. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** What picocli did not match: configuration flags, or mistakes. */
    List<String> unmatched() {
        return mixee == null ? List.of() : mixee.commandLine().getUnmatchedArguments();
    }

    /** The flags as keys and values; anything that is not a configuration flag is refused here. */
    Map<String, String> flags() {
        List<String> flags = unmatched();
        Map<String, String> out = new LinkedHashMap<>();
        List<ConfigProblem> problems = new ArrayList<>();
        for (int i = 0; i < flags.size(); i++) {
            String a = flags.get(i);
            if (!a.startsWith("--")) {
                problems.add(new ConfigProblem(a, "unexpected argument; configuration is --KEY=VALUE"));
                continue;
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < flags.size() && !flags.get(i + 1).startsWith("--")) {
                value = flags.get(++i);
            } else {
                value = "true";
            }
            String key = isHostKey("prognos." + name) ? "prognos." + name : name.contains(".") ? name : null;
            if (key == null) {
                problems.add(new ConfigProblem("--" + name, "unknown option; see --help"));
            } else if (out.put(key, value) != null) { // the last would win without a word
                problems.add(new ConfigProblem(key, "given more than once on the command line: which one is meant?"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException("the command line", problems);
        }
        return out;
    }

    private static boolean isHostKey(String key) {
        return HostConfig.CONFIG.keys().stream().anyMatch(k -> k.name().equals(key));
    }

    /** The environment variable of a key. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private static InvalidConfigurationException bad(String key, String message) {
        return new InvalidConfigurationException("the command line", List.of(new ConfigProblem(key, message)));
    }
}
