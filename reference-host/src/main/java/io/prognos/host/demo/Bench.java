package io.prognos.host.demo;

import static io.prognos.evaluation.Stats.median;

import io.prognos.api.BatchForecast;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStore;
import io.prognos.api.OperatingLimits;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.TrainRequest;
import io.prognos.host.core.CycleSettings;
import io.prognos.host.core.SensorContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The plugin's performance figures through the SPI, as any host sees them: medians of warm runs,
 * one training job, models in memory, the configured engine. Timings are not asserted anywhere:
 * machines here are 2 noisy cores; this command is where the figures come from.
 */
public final class Bench {

    /** Epochs and patience equal: all 20 epochs run, as in the figure's definition. */
    private static final Map<String, String> ALL_EPOCHS = Map.of("epochs", "20", "patience", "20");

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private final Function<ModelStore, ForecastingPlugin> starter;
    private final InMemoryModelStore store = new InMemoryModelStore();
    private final PrintWriter progress;
    private ForecastingPlugin plugin;

    /** {@code starter} starts the configured plugin (engine included) on the given store. */
    public Bench(Function<ModelStore, ForecastingPlugin> starter, PrintWriter progress) {
        this.starter = starter;
        this.progress = progress;
    }

    /** An hourly daily cycle with noise. */
    public static List<Reading> series(int n, long seed) {
        Random r = new Random(seed);
        List<Reading> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Reading(
                    START.plus(Duration.ofHours(i)), 20 + 5 * Math.sin(2 * Math.PI * i / 24) + 0.5 * r.nextGaussian()));
        }
        return out;
    }

    public Map<String, Object> run(int sensors, int trainings) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        plugin = starter.apply(store);
        try {
            SensorId sensor = SensorId.of("bench", "temperature");
            // Enough history that 120 windows remain for training after validation, calibration and guards.
            List<Reading> history = null;
            ModelInfo info = null;
            for (int n = 161; n < 2000; n += 20) {
                history = series(n, 11);
                info = plugin.train(new TrainRequest(sensor, history, ALL_EPOCHS));
                if (info.metric("train_windows") >= 120) {
                    break;
                }
            }
            double[] trainMs = new double[7];
            for (int i = 0; i < trainMs.length; i++) {
                long t0 = System.nanoTime();
                info = plugin.train(new TrainRequest(sensor, history, ALL_EPOCHS));
                trainMs[i] = (System.nanoTime() - t0) / 1e6;
            }
            out.put("train_ms_120", round(median(Arrays.copyOfRange(trainMs, 2, trainMs.length))));
            out.put("train_windows", (int) info.metric("train_windows"));
            out.put("train_history_points", history.size());
            out.put("train_epochs_run", (int) info.metric("epochs_run"));

            // Scoring a reading: one that completes an interval, so the state scores it and forecasts anew.
            SensorState state = plugin.openState(sensor, null);
            plugin.observe(state, history);
            // Steady state, as in a host that runs for days: after 3,000 calls the scoring code had not
            // all reached the JIT's optimising compiler (a median of 145-166 us over calls 1,000-3,000,
            // against 50-64 us over calls 10,000-30,000 of the same build).
            int scored = 20_000;
            double[] us = new double[scored];
            Instant t = history.get(history.size() - 1).timestamp();
            Random r = new Random(5);
            for (int i = 0; i < scored; i++) {
                t = t.plus(Duration.ofHours(1));
                Reading next = new Reading(
                        t, 20 + 5 * Math.sin(2 * Math.PI * (history.size() + i) / 24) + 0.5 * r.nextGaussian());
                long t0 = System.nanoTime();
                plugin.observe(state, List.of(next));
                us[i] = (System.nanoTime() - t0) / 1e3;
            }
            out.put("observe_us_1", round(median(Arrays.copyOfRange(us, scored / 2, us.length))));
            // At steady state too, as observe_us_1.
            double[] fus = new double[scored];
            for (int i = 0; i < fus.length; i++) {
                long t0 = System.nanoTime();
                plugin.forecast(state);
                fus[i] = (System.nanoTime() - t0) / 1e3;
            }
            out.put("forecast_us_1", round(median(Arrays.copyOfRange(fus, scored / 2, fus.length))));
            // A risk assessment with operating limits, as a host makes after each forecast of a sensor
            // that has them: limits at the series' swings (20 +- 5), so that some paths cross. Without
            // limits the plugin draws no paths.
            Forecast last = plugin.forecast(state);
            out.put("risk_us_1", riskUs(plugin, last, state, OperatingLimits.between(14.5, 25.5), scored));
            // The same with limits far beyond the swings (0 and 40), as most sensors' sit most of the
            // time: what the plugin saves on steps no path can cross at.
            out.put("risk_us_far", riskUs(plugin, last, state, OperatingLimits.between(0, 40), scored));
            out.put("state_bytes", state.toBytes().length);
            out.put("model_bytes", store.load(sensor).orElseThrow().size());

            long rssStart = rssKb();
            for (int i = 0; i < trainings; i++) {
                plugin.train(new TrainRequest(SensorId.of("mem", "s" + (i % 50)), history, ALL_EPOCHS));
                if ((i + 1) % 50 == 0) {
                    progress.printf(
                            Locale.ROOT,
                            "bench: %d/%d trainings, resident set %.0f MB%n",
                            i + 1,
                            trainings,
                            rssKb() / 1024.0);
                    progress.flush();
                }
            }
            long rssEnd = rssKb();
            out.put("rss_mb_start", round(rssStart / 1024.0));
            out.put("rss_mb_after_trainings", round(rssEnd / 1024.0));
            out.put("trainings", trainings);
            out.put("rss_growth_percent", round(100.0 * (rssEnd - rssStart) / rssStart));

            contexts(out, plugin);
            // Last: the fleet's models grow the heap, which must not inflate rss_mb_start.
            fleet(sensors, history, out);
        } finally {
            plugin.stop();
        }
        return out;
    }

    /**
     * A fleet of {@code sensors} distinct models, trained for one epoch (a forecast costs the same,
     * the set-up a fraction). Two figures: one batched forecast call over all of them, each state up
     * to date (what a host's schedule or dashboard asks); and one new interval for every sensor, each
     * scored and forecast anew by its own network (what a fleet costs per interval).
     */
    private void fleet(int sensors, List<Reading> history, Map<String, Object> out) {
        Map<String, String> quick = Map.of("epochs", "1", "patience", "1");
        long heapBefore = usedHeapAfterGc();
        List<SensorState> states = new ArrayList<>();
        for (int i = 0; i < sensors; i++) {
            SensorId s = SensorId.of("device-" + i, "temperature");
            plugin.train(new TrainRequest(s, history, quick));
            SensorState st = plugin.openState(s, null);
            plugin.observe(st, history);
            states.add(st);
            if ((i + 1) % 200 == 0) {
                progress.printf("bench: %d/%d fleet models trained%n", i + 1, sensors);
                progress.flush();
            }
        }
        // The plugin's share of a trained sensor in a host: its model as the plugin holds it, and its
        // state; the bench's in-memory store holds each model's bytes too, which a host's database does.
        long stored = 0;
        for (SensorState st : states) {
            stored += store.load(st.sensor()).orElseThrow().size();
        }
        long held = usedHeapAfterGc() - heapBefore - stored;
        out.put("sensor_bytes_trained", Math.round(held / (double) states.size()));
        double[] ms = new double[7];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            BatchForecast b = plugin.forecastBatch(states);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            if (b.forecasts().size() != sensors) {
                throw new IllegalStateException(
                        "batch failed: " + b.failures().values().iterator().next());
            }
        }
        out.put("forecast_ms_" + sensors, round(median(Arrays.copyOfRange(ms, 2, ms.length))));
        Instant t = history.get(history.size() - 1).timestamp();
        double[] perInterval = new double[5];
        for (int k = 0; k < perInterval.length; k++) {
            t = t.plus(Duration.ofHours(1));
            Reading next = new Reading(t, 20);
            long t0 = System.nanoTime();
            for (SensorState st : states) {
                plugin.observe(st, List.of(next));
            }
            plugin.forecastBatch(states);
            perInterval[k] = (System.nanoTime() - t0) / 1e6;
        }
        out.put("interval_ms_" + sensors, round(median(perInterval)));
        out.put("fleet_sensors", sensors);
        states.forEach(s -> plugin.deleteModel(s.sensor()));
    }

    /**
     * The heap a host holds per sensor context at the default {@code cycle.buffer-size}: for a
     * sensor it has just met (no reading yet: what a flood of new sensor keys costs before {@code
     * cycle.max-sensors} evicts any) and for one whose buffer is full. Heap used after a full
     * collection, with and without 20,000 (1,000) of them, per context.
     */
    private static void contexts(Map<String, Object> out, ForecastingPlugin plugin) throws IOException {
        int capacity = CycleSettings.from(Map.of()).bufferSize();
        long before = usedHeapAfterGc();
        List<SensorContext> held = new ArrayList<>(20_000);
        for (int i = 0; i < 20_000; i++) {
            held.add(new SensorContext(SensorId.of("new-" + i, "temperature"), capacity));
        }
        long after = usedHeapAfterGc();
        out.put("context_bytes_new", Math.round((after - before) / (double) held.size()));
        // And one whose buffer is full, as every sensor's is after 2,048 readings (85 days hourly),
        // each reading its own object as it arrived.
        held.clear();
        before = usedHeapAfterGc();
        for (int i = 0; i < 1_000; i++) {
            SensorContext empty = new SensorContext(SensorId.of("full-" + i, "temperature"), capacity);
            held.add(SensorContext.restore(empty.toBytes(false), capacity, series(capacity, i), plugin));
        }
        after = usedHeapAfterGc();
        out.put("context_bytes_full", Math.round((after - before) / (double) held.size()));
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    public static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /**
     * The median microseconds of the second half of {@code calls} risk assessments of {@code last}:
     * at steady state, as {@code observe_us_1}.
     */
    private static double riskUs(
            ForecastingPlugin plugin, Forecast last, SensorState state, OperatingLimits limits, int calls) {
        double[] us = new double[calls];
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            plugin.assessRisk(last, state, limits);
            us[i] = (System.nanoTime() - t0) / 1e3;
        }
        return round(median(Arrays.copyOfRange(us, calls / 2, calls)));
    }

    public static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
