package io.prognos.lstm;

import io.prognos.api.BatchForecast;
import io.prognos.api.ForecastRequest;
import io.prognos.api.InMemoryModelStore;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStatus;
import io.prognos.api.PluginContext;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.StoredModel;
import io.prognos.api.ThreadLimits;
import io.prognos.api.TrainRequest;
import io.prognos.api.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The plugin's performance figures, printed as one JSON object. Run with
 * {@code mvn -B -q -pl plugin-lstm -am -Pbench verify} (add {@code -Dbench.trainings=N} to shorten
 * the memory run). Figures are medians of warm runs on one native thread.
 */
public final class LstmBenchmark {

    private LstmBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int trainings = Integer.getInteger("bench.trainings", 500);
        Map<String, Object> out = new LinkedHashMap<>();
        InMemoryModelStore store = new InMemoryModelStore();
        LstmForecastingPlugin plugin = new LstmForecastingPlugin();
        plugin.start(new PluginContext(Map.of(), new ThreadLimits(1, 1), store, Clock.systemUTC()));

        // 161 hourly points = 120 windows of 30 inputs + 12 targets; patience = epochs so all 20 epochs run.
        List<Reading> history = Series.seasonal(161, 0.5, 11);
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
        if (Boolean.getBoolean("bench.memoryOnly")) {
            trainMs = null;
        }
        out.put("train_epochs_run", info.epochsRun());

        List<Reading> recent = history.subList(history.size() - 30, history.size());
        ForecastRequest one = new ForecastRequest(sensor, recent);
        for (int i = 0; i < 2000; i++) {
            plugin.forecast(one);
        }
        double[] us = new double[2000];
        for (int i = 0; i < us.length; i++) {
            long t0 = System.nanoTime();
            plugin.forecast(one);
            us[i] = (System.nanoTime() - t0) / 1e3;
        }
        out.put("forecast_us_1", round(median(us)));

        StoredModel stored = store.load(sensor).orElseThrow();
        out.put("model_bytes", stored.size());

        // 1,000 sensors in one call: copies of the model (one network pass for all), and 1,000
        // distinct models (one pass each), which is what a real fleet looks like.
        out.put("forecast_ms_1000", round(batchMillis(stored, recent, false)));
        out.put("forecast_ms_1000_distinct_models", round(batchMillis(stored, recent, true)));

        // Memory: resident set after warm-up, then after many trainings of fresh models.
        long rssStart = rssKb();
        for (int i = 0; i < trainings; i++) {
            plugin.train(new TrainRequest(SensorId.of("mem", "s" + (i % 50)), history, allEpochs));
            if (Boolean.getBoolean("bench.gc")) {
                System.gc();
            }
            if ((i + 1) % 50 == 0) {
                System.err.printf(Locale.ROOT, "trainings %d rss %.0f MB%n", i + 1, rssKb() / 1024.0);
            }
        }
        long rssEnd = rssKb();
        out.put("rss_mb_start", round(rssStart / 1024.0));
        out.put("rss_mb_after_" + trainings + "_trainings", round(rssEnd / 1024.0));
        out.put("rss_growth_percent", round(100.0 * (rssEnd - rssStart) / rssStart));
        plugin.stop();
        System.out.println(json(out));
        System.exit(0);
    }

    private static double batchMillis(StoredModel stored, List<Reading> recent, boolean distinct) throws Exception {
        TrainedModel base = ModelCodec.decode(stored.bytes());
        InMemoryModelStore fleet = new InMemoryModelStore();
        List<ForecastRequest> requests = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            SensorId s = SensorId.of("device-" + i, "temperature");
            TrainedModel m = new TrainedModel(s, distinct ? base.modelVersion() + "-" + i : base.modelVersion(),
                    base.trainedAt(), base.interval(), base.sequenceLength(), base.horizon(), base.units(),
                    base.coverage(), base.seasonalSteps(), base.scaler(), base.dampedTrend(), base.method(),
                    base.blendWeights(), base.methodReason(), base.parameters(), base.calibration(), base.metrics());
            byte[] bytes = ModelCodec.encode(m);
            fleet.save(new StoredModel(m.info(ModelStatus.READY), bytes, ModelCodec.checksum(bytes)));
            requests.add(new ForecastRequest(s, recent));
        }
        LstmForecastingPlugin p = new LstmForecastingPlugin();
        p.start(new PluginContext(Map.of(), new ThreadLimits(1, 1), fleet, Clock.systemUTC()));
        double[] ms = new double[7];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            BatchForecast b = p.forecastBatch(requests);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            if (b.forecasts().size() != 1000) {
                throw new IllegalStateException("batch failed: " + b.failures().values().iterator().next());
            }
        }
        p.stop();
        return median(Arrays.copyOfRange(ms, 2, ms.length));
    }

    static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static String json(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder("{");
        m.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append('"').append(k).append("\": ").append(v));
        return sb.append('}').toString();
    }
}
