package io.prognos.evaluation.nab;

import io.prognos.api.AnomalyScore;
import io.prognos.api.BadRequestException;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.ModelInfo;
import io.prognos.api.Observation;
import io.prognos.api.Reading;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.TrainRequest;
import io.prognos.host.core.AlertEpisodes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Prognos as a NAB detector, run the way a host runs it: readings arrive one at a time; once the
 * probationary period has arrived the sensor is trained on everything so far (its interval
 * detected from the readings), its state is warmed with that history, and from then on every
 * reading is observed. A reading's raw score is the anomaly score of the interval it completed (0
 * while an interval is still filling). What NAB scores are Prognos's alerts, as a plant receives
 * them: an alert is raised when the score reaches the plugin's threshold and no alert episode is
 * open, and an episode closes once the score stayed below the threshold for one forecast horizon
 * ({@link AlertEpisodes}, the host's own rule); the scored value is the raw score at a raise and 0
 * elsewhere.
 */
public final class PluginDetector implements StreamingDetector.Factory {

    private final ForecastingPlugin plugin;
    private final double threshold;

    /** Alerts at the plugin's declared anomaly threshold, or at {@code threshold} when it is given. */
    public PluginDetector(ForecastingPlugin plugin, Double threshold) {
        this.plugin = plugin;
        this.threshold = threshold != null ? threshold : plugin.describe().anomalyThreshold();
    }

    @Override
    public String name() {
        return "prognos";
    }

    @Override
    public double declaredThreshold() {
        return threshold;
    }

    @Override
    public StreamingDetector open(String key, int probationaryRows) {
        return new Stream(SensorId.of("nab", key), probationaryRows);
    }

    private final class Stream implements StreamingDetector {
        private final SensorId sensor;
        private final int trainAt;
        private final List<Reading> history = new ArrayList<>();
        private SensorState state;
        private Duration hold;
        private RiskLevel episode = RiskLevel.LOW;
        private Instant lastAlerting;

        Stream(SensorId sensor, int probationaryRows) {
            this.sensor = sensor;
            this.trainAt = probationaryRows;
        }

        @Override
        public Score score(Reading r) {
            if (state == null) {
                history.add(r);
                if (history.size() >= trainAt) {
                    train();
                }
                return Score.of(0);
            }
            Observation o = plugin.observe(state, List.of(r));
            double raw = 0;
            boolean raised = false;
            for (AnomalyScore a : o.scores()) {
                raw = Math.max(raw, a.score());
                RiskLevel level = a.score() >= threshold ? RiskLevel.MEDIUM : RiskLevel.LOW;
                AlertEpisodes.Step step = AlertEpisodes.step(episode, lastAlerting, level, a.at(), hold);
                episode = step.episodeLevel();
                lastAlerting = step.lastAlerting();
                raised |= step.raised();
            }
            return new Score(raised ? raw : 0, raw);
        }

        /** Trains on everything so far (the interval detected by the plugin) and warms the state with it. */
        private void train() {
            try {
                ModelInfo m = plugin.train(new TrainRequest(sensor, history));
                hold = m.interval().multipliedBy(m.horizon());
                state = plugin.openState(sensor, null);
                plugin.observe(state, history);
                history.clear();
            } catch (BadRequestException e) {
                state = null; // too little usable history yet: try again with the next reading
            }
        }

        @Override
        public void close() {
            if (state != null) {
                plugin.deleteModel(sensor);
            }
        }
    }
}
