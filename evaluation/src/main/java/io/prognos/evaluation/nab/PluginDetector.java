package io.prognos.evaluation.nab;

import io.prognos.api.AnomalyScore;
import io.prognos.api.BadRequestException;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.ModelInfo;
import io.prognos.api.Observation;
import io.prognos.api.OperatingLimits;
import io.prognos.api.PrognosException;
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
 * while an interval is still filling). What NAB scores are alerts, one per episode
 * ({@link AlertEpisodes}, the host's own rule: an episode closes once the level stayed below medium
 * for one forecast horizon), raised from one of two levels ({@link Alerts}); the scored value is
 * the raw score at a raise (at least the threshold) and 0 elsewhere.
 */
public final class PluginDetector implements StreamingDetector.Factory {

    /** Which level raises an alert. */
    public enum Alerts {
        /**
         * The anomaly score: medium while it is at the threshold, as a subscriber of the anomaly
         * topic that alerts at the declared threshold gets it (NAB's own way with every detector).
         */
        SCORE,
        /**
         * The risk level the plugin assesses after the interval's forecast, without operating
         * limits: what the host's alerts topic raises (the LSTM plugin, for one, is medium only
         * when the score stays at the threshold for two intervals running, or high at 0.9).
         */
        RISK
    }

    private final ForecastingPlugin plugin;
    private final double threshold;
    private final Alerts alerts;

    /** Alerts at the plugin's declared anomaly threshold, or at {@code threshold} when it is given. */
    public PluginDetector(ForecastingPlugin plugin, Double threshold) {
        this(plugin, threshold, Alerts.SCORE);
    }

    public PluginDetector(ForecastingPlugin plugin, Double threshold, Alerts alerts) {
        this.plugin = plugin;
        this.threshold = threshold != null ? threshold : plugin.describe().anomalyThreshold();
        this.alerts = alerts;
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
                if (alerts == Alerts.SCORE) {
                    raised |= step(a.score() >= threshold ? RiskLevel.MEDIUM : RiskLevel.LOW, a.at());
                }
            }
            if (alerts == Alerts.RISK && !o.scores().isEmpty()) {
                RiskLevel level = assessedLevel();
                if (level != null) {
                    raised |= step(level, o.scores().get(o.scores().size() - 1).at());
                }
            }
            // A risk alert can come from more than the newest score: it is scored at the threshold at least.
            return new Score(raised ? Math.max(raw, threshold) : 0, raw);
        }

        private boolean step(RiskLevel level, Instant at) {
            AlertEpisodes.Step step = AlertEpisodes.step(episode, lastAlerting, level, at, hold);
            episode = step.episodeLevel();
            lastAlerting = step.lastAlerting();
            return step.raised();
        }

        /** The level the host would publish now; null when it could not forecast (nor assess) either. */
        private RiskLevel assessedLevel() {
            try {
                Forecast f = plugin.forecast(state);
                return plugin.assessRisk(f, state, OperatingLimits.none()).level();
            } catch (PrognosException e) {
                return null;
            }
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
