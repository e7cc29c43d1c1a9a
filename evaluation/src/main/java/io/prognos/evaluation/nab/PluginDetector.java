package io.prognos.evaluation.nab;

import io.prognos.api.BadRequestException;
import io.prognos.api.Forecast;
import io.prognos.api.ForecastRequest;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.ModelInfo;
import io.prognos.api.OperatingLimits;
import io.prognos.api.Reading;
import io.prognos.api.RiskAssessment;
import io.prognos.api.RiskLevel;
import io.prognos.api.SensorId;
import io.prognos.api.TrainRequest;
import io.prognos.api.TrainingOptions;
import io.prognos.evaluation.Stats;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Prognos as a NAB detector, run the way a host runs it: readings arrive one at a time; once the
 * probationary period has arrived the sensor is trained on everything so far (at the median
 * spacing seen), and from then on every reading is forecast from and assessed. Without operating
 * limits the assessment rests on the model alone. A reading scores 1 when the risk is medium or
 * above (an alert), else 0: a binary detector, scored at threshold 0.5.
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
        return 0.5;
    }

    @Override
    public StreamingDetector open(String key, int probationaryRows) {
        return new Stream(SensorId.of("nab", key), probationaryRows);
    }

    private final class Stream implements StreamingDetector {
        private final SensorId sensor;
        private final int trainAt;
        private final List<Reading> history = new ArrayList<>();
        private final Deque<Reading> recent = new ArrayDeque<>();
        private int keep;
        private boolean trained;

        Stream(SensorId sensor, int probationaryRows) {
            this.sensor = sensor;
            this.trainAt = probationaryRows;
        }

        @Override
        public double score(Reading r) {
            if (!trained) {
                history.add(r);
                if (history.size() >= trainAt && train()) {
                    recent.addAll(history.subList(Math.max(0, history.size() - keep), history.size()));
                    history.clear();
                }
                return 0;
            }
            recent.addLast(r);
            while (recent.size() > keep) {
                recent.removeFirst();
            }
            try {
                Forecast f = plugin.forecast(new ForecastRequest(sensor, List.copyOf(recent)));
                RiskAssessment a = plugin.assessRisk(f, OperatingLimits.none());
                return a.level().atLeast(RiskLevel.MEDIUM) ? 1 : 0;
            } catch (BadRequestException e) {
                return 0; // a gap too long to forecast across: nothing to say
            }
        }

        private boolean train() {
            double[] gaps = new double[history.size() - 1];
            for (int i = 1; i < history.size(); i++) {
                gaps[i - 1] = Duration.between(history.get(i - 1).timestamp(), history.get(i).timestamp()).toMillis();
            }
            Duration interval = Duration.ofMillis(Math.max(1, Math.round(Stats.median(gaps))));
            try {
                ModelInfo m = plugin.train(new TrainRequest(sensor, history,
                        new TrainingOptions(null, null, null, null, null, interval)));
                // Enough readings for an input window even with some irregular spacing.
                keep = 2 * (m.sequenceLength() + m.horizon() + 8);
                trained = true;
            } catch (BadRequestException e) {
                trained = false; // too little usable history yet: try again with the next reading
            }
            return trained;
        }

        @Override
        public void close() {
            if (trained) {
                plugin.deleteModel(sensor);
            }
        }
    }
}
