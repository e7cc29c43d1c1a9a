package io.prognos.evaluation.nab;

import io.prognos.api.AnomalyScore;
import io.prognos.api.BadRequestException;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.Observation;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.TrainRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Prognos as a NAB detector, run the way a host runs it: readings arrive one at a time; once the
 * probationary period has arrived the sensor is trained on everything so far (its interval
 * detected from the readings), its state is warmed with that history, and from then on every
 * reading is observed. A reading's score is the anomaly score of the interval it completed (0
 * while an interval is still filling), and the detector declares the plugin's anomaly threshold.
 */
public final class PluginDetector implements StreamingDetector.Factory {

    private final ForecastingPlugin plugin;

    public PluginDetector(ForecastingPlugin plugin) {
        this.plugin = plugin;
    }

    @Override
    public String name() {
        return "prognos";
    }

    @Override
    public double declaredThreshold() {
        return plugin.describe().anomalyThreshold();
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

        Stream(SensorId sensor, int probationaryRows) {
            this.sensor = sensor;
            this.trainAt = probationaryRows;
        }

        @Override
        public double score(Reading r) {
            if (state == null) {
                history.add(r);
                if (history.size() >= trainAt) {
                    train();
                }
                return 0;
            }
            Observation o = plugin.observe(state, List.of(r));
            double score = 0;
            for (AnomalyScore a : o.scores()) {
                score = Math.max(score, a.score());
            }
            return score;
        }

        /** Trains on everything so far (the interval detected by the plugin) and warms the state with it. */
        private void train() {
            try {
                plugin.train(new TrainRequest(sensor, history));
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
