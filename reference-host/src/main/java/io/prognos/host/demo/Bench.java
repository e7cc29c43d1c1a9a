package io.prognos.host.demo;

import io.prognos.api.BatchForecast;
import io.prognos.api.ForecastRequest;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.ModelInfo;
import io.prognos.api.PluginContext;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import io.prognos.api.TrainingOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.function.Function;
import io.prognos.api.ModelStore;
import static io.prognos.evaluation.Stats.median;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The core's performance figures through the SPI, as any host would see them: medians of warm
 * runs, one training job, one native thread, models in memory.
 */
public final class Bench {

    private final Function<ModelStore, ForecastingPlugin> starter;
    private final InMemoryModelStore store = new InMemoryModelStore();
    private final PrintWriter progress;
    private ForecastingPlugin plugin;

    /** {@code starter} starts the configured plugin (engine included) on the given store. */
    public Bench(Function<ModelStore, ForecastingPlugin> starter, PrintWriter progress) {
        this.starter = starter;
        this.progress = progress;
    }

    /** A daily cycle with noise: 161 hourly points give 120 windows of 30 inputs and 12 targets. */
    public static List<Reading> series(int n, long seed) {
        Random r = new Random(seed);
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        List<Reading> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Reading(start.plus(Duration.ofHours(i)),
                    20 + 5 * Math.sin(2 * Math.PI * i / 24) + 0.5 * r.nextGaussian()));
        }
        return out;
    }

    public Map<String, Object> run(int sensors, int trainings) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        plugin = starter.apply(store);
        try {
            List<Reading> history = series(161, 11);
            // patience = epochs: all 20 epochs run, as in the figure's definition.
            TrainingOptions allEpochs = new TrainingOptions(null, null, 20, null, 20, null);
            SensorId sensor = SensorId.of("bench", "temperature");
            double[] trainMs = new double[7];
            ModelInfo info = null;
            for (int i = 0; i < trainMs.length; i++) {
                long t0 = System.nanoTime();
                info = plugin.train(new TrainRequest(sensor, history, allEpochs));
                trainMs[i] = (System.nanoTime() - t0) / 1e6;
            }
            out.put("train_ms_120", round(median(Arrays.copyOfRange(trainMs, 2, trainMs.length))));
            out.put("train_epochs_run", info.epochsRun());

            List<Reading> recent = history.subList(history.size() - 30, history.size());
            ForecastRequest one = new ForecastRequest(sensor, recent);
            double[] us = new double[3000];
            for (int i = 0; i < us.length; i++) {
                long t0 = System.nanoTime();
                plugin.forecast(one);
                us[i] = (System.nanoTime() - t0) / 1e3;
            }
            out.put("forecast_us_1", round(median(Arrays.copyOfRange(us, 1000, us.length))));
            out.put("model_bytes", store.load(sensor).orElseThrow().size());

            long rssStart = rssKb();
            for (int i = 0; i < trainings; i++) {
                plugin.train(new TrainRequest(SensorId.of("mem", "s" + (i % 50)), history, allEpochs));
                if ((i + 1) % 50 == 0) {
                    progress.printf(Locale.ROOT, "bench: %d/%d trainings, resident set %.0f MB%n", i + 1, trainings,
                            rssKb() / 1024.0);
                    progress.flush();
                }
            }
            long rssEnd = rssKb();
            out.put("rss_mb_start", round(rssStart / 1024.0));
            out.put("rss_mb_after_500_trainings", trainings == 500 ? round(rssEnd / 1024.0) : null);
            out.put("rss_mb_after_trainings", round(rssEnd / 1024.0));
            out.put("trainings", trainings);
            out.put("rss_growth_percent", round(100.0 * (rssEnd - rssStart) / rssStart));

            // Last: the fleet's thousand models grow the heap, which must not inflate rss_mb_start.
            out.put("forecast_ms_1000", round(batchMillis(sensors, history)));
            out.put("forecast_batch_sensors", sensors);
        } finally {
            plugin.stop();
        }
        return out;
    }

    /**
     * One batched call over {@code sensors} distinct models, as a fleet has them. The models are
     * trained for one epoch only: the forecast costs the same, the set-up a fraction.
     */
    private double batchMillis(int sensors, List<Reading> history) {
        TrainingOptions quick = new TrainingOptions(null, null, 1, null, 1, null);
        List<ForecastRequest> requests = new ArrayList<>();
        List<Reading> recent = history.subList(history.size() - 30, history.size());
        for (int i = 0; i < sensors; i++) {
            SensorId s = SensorId.of("device-" + i, "temperature");
            plugin.train(new TrainRequest(s, history, quick));
            requests.add(new ForecastRequest(s, recent));
            if ((i + 1) % 200 == 0) {
                progress.printf("bench: %d/%d fleet models trained%n", i + 1, sensors);
                progress.flush();
            }
        }
        double[] ms = new double[7];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            BatchForecast b = plugin.forecastBatch(requests);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            if (b.forecasts().size() != sensors) {
                throw new IllegalStateException("batch failed: " + b.failures().values().iterator().next());
            }
        }
        requests.forEach(r -> plugin.deleteModel(r.sensor()));
        return median(Arrays.copyOfRange(ms, 2, ms.length));
    }

    public static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    public static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
