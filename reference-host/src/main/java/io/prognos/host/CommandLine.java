package io.prognos.host;

import io.prognos.api.ConfigDef;
import io.prognos.api.ConfigProblem;
import io.prognos.api.InvalidConfigurationException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A parsed command line: the subcommand, its own options ({@code --csv FILE}, {@code --json}), and
 * configuration from a properties file, the environment and flags, in rising precedence.
 *
 * <p>A flag is configuration when its name has a dot ({@code --lstm.epochs=30}) or names a host
 * key without its {@code prognos.} prefix ({@code --data-dir DIR}); anything else is an option of
 * the subcommand. The environment variable of a key is the key in upper case with dots and dashes
 * as underscores: {@code jdbc.url} is {@code JDBC_URL}, {@code prognos.http.port} is
 * {@code PROGNOS_HTTP_PORT}.
 */
record CommandLine(String command, Map<String, String> options, Map<String, String> flags, Path configFile) {

    /** Options that never take a value. */
    private static final Set<String> SWITCHES = Set.of("json", "stay", "help", "h");

    static CommandLine parse(String[] args) {
        String command = null;
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> flags = new LinkedHashMap<>();
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-")) {
                if (command != null) {
                    throw bad("command line", "unexpected argument '" + a + "' after command '" + command + "'");
                }
                command = a;
                continue;
            }
            String name = a.replaceFirst("^--?", "");
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (SWITCHES.contains(name) || i + 1 >= args.length || args[i + 1].startsWith("--")) {
                value = "true";
            } else {
                value = args[++i];
            }
            if (name.equals("config")) {
                configFile = Path.of(value);
            } else if (!"evaluate".equals(command) && isHostKey("prognos." + name)) {
                // evaluate's --limits LOW,HIGH is its own option, not prognos.limits
                flags.put("prognos." + name, value);
            } else if (name.contains(".")) {
                flags.put(name, value);
            } else {
                options.put(name, value);
            }
        }
        return new CommandLine(command == null ? "serve" : command, options, flags, configFile);
    }

    private static boolean isHostKey(String key) {
        return HostConfig.CONFIG.keys().stream().anyMatch(k -> k.name().equals(key));
    }

    boolean has(String option) {
        return options.containsKey(option);
    }

    String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /**
     * The configuration: the file ({@code --config}, or {@code prognos.properties} in the working
     * directory when present), then environment variables of the known keys, then flags.
     */
    Map<String, String> configuration(Collection<ConfigDef.Key> knownKeys, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        Path file = configFile != null ? configFile : Path.of("prognos.properties");
        if (configFile != null || Files.isRegularFile(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IOException e) {
                throw bad("--config", "cannot read configuration file " + file + ": " + e.getMessage());
            }
            p.stringPropertyNames().forEach(k -> values.put(k, p.getProperty(k).trim()));
        }
        for (ConfigDef.Key k : knownKeys) {
            String v = env.get(envName(k.name()));
            if (v != null) {
                values.put(k.name(), v);
            }
        }
        values.putAll(flags);
        return values;
    }

    static String envName(String key) {
        return key.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** Keys that start with {@code prefix}. */
    static Map<String, String> withPrefix(Map<String, String> values, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Keys that belong to none of the {@code prefixes}: most likely typos. */
    static List<ConfigProblem> unclaimed(Map<String, String> values, Collection<String> prefixes) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (String k : values.keySet()) {
            if (prefixes.stream().noneMatch(k::startsWith)) {
                problems.add(new ConfigProblem(k, "unknown key; keys start with one of " + prefixes));
            }
        }
        return problems;
    }

    private static InvalidConfigurationException bad(String key, String message) {
        return new InvalidConfigurationException("the command line", List.of(new ConfigProblem(key, message)));
    }
}
