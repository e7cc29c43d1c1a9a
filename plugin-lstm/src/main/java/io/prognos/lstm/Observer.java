package io.prognos.lstm;

import io.prognos.api.AnomalyScore;
import io.prognos.api.Observation;
import io.prognos.api.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * What happens when readings arrive. They are averaged into intervals of the model's size; an
 * interval is complete when a reading of a later interval arrives, or at once when it holds as many
 * readings as the sensor usually sends per interval (so a sensor reporting once per interval is
 * scored at its reading, not one interval later). Each complete interval is handled exactly once,
 * whatever the reading and forecast cadence:
 *
 * <ol>
 *   <li>it is scored against every forecast still waiting for it: the aggregation learns each
 *       candidate's loss at that step, the intervals' adaptation learns that step's error,
 *       and the standardized errors feed the anomaly score (one step ahead, three steps ahead and a
 *       whole horizon ahead, which catch a shift the re-anchoring one-step forecast explains away
 *       after one interval; each read on its step's calibrated scale, or on that scale corrected
 *       by the live errors with {@code lstm.error-scale=live}, {@link LiveErrorScale}) together with
 *       novelty against the training range;
 *   <li>the next forecast is made from it (one pass of the network), to wait for the intervals after.
 * </ol>
 *
 * <p>Short gaps are interpolated (not scored); a gap longer than {@code lstm.max-gap} starts afresh
 * from the next reading, as training splits the history there.
 */
final class Observer {

    /** The deviation rate averages one-step misses over about this many intervals. */
    static final double MISS_MEMORY = 50;
    /** Shift compares a reading with the forecast made this many intervals before it. */
    static final int SHIFT_STEPS = 3;
    /**
     * A value beyond the range seen so far by more than this share of the range is new behaviour:
     * Numenta's "spatial anomaly" rule with its published tolerance (NAB's numenta detector, 0.05).
     */
    static final double RANGE_TOLERANCE = 0.05;
    /** Intervals closed by a later reading before one is closed as soon as it is full. */
    static final int LEARN_CLOSES = 3;
    /** The readings' phase is followed over about this many readings ({@link #followPhase}). */
    static final int PHASE_MEMORY = 64;
    /** The usual time may move this many turns from the grid's before the grid follows it. */
    static final double PHASE_TOLERANCE = 1.0 / 8;

    private final LstmSettings settings;
    private final Networks networks;

    /** Runs the network for one window of a model. */
    interface Networks {
        float[] predict(TrainedModel model, double[] lstmWindow);
    }

    Observer(LstmSettings settings, Networks networks) {
        this.settings = settings;
        this.networks = networks;
    }

    /**
     * Binds a state to a model: the online parts start from the model's validation and calibration,
     * unless the state was bound to the sensor's earlier model of the same interval (the model was
     * retrained): then it carries on with what it learned from live errors, its anomaly baseline and
     * range, and, where the new model forecasts the same steps from the same candidates, both
     * aggregations, the intervals' adaptation and the earlier model's forecasts still waiting (so
     * the intervals right after a retraining are scored too). A fresh start there would judge the
     * retrained model from scratch (no anomaly score for 30 intervals, then a baseline learnt from a
     * handful), and a warm-up over the readings it was trained on would teach the baseline its
     * smaller in-sample errors. On the NAB tuning files retrained every 3 days (evaluate): 62 false
     * alert episodes starting afresh, 21 warmed up, 10 carrying on (11 without retraining);
     * geometric relMAE 0.6086, 0.5663 and 0.5559.
     */
    void bind(LstmSensorState s, TrainedModel m) {
        if (m.modelVersion().equals(s.modelVersion)) {
            return;
        }
        // Labels mean the same on every grid of an interval: a retraining that moved the boundaries
        // (Grid) carries on with the same intervals.
        boolean sameGrid = s.grid != null && s.grid.interval().equals(m.interval());
        boolean retrained = s.modelVersion != null && sameGrid;
        s.modelVersion = m.modelVersion();
        s.grid = m.grid();
        if (!sameGrid) {
            s.openBucket = LstmSensorState.NONE;
            s.openSum = 0;
            s.openCount = 0;
            s.lastClosed = LstmSensorState.NONE;
            s.recentSize = 0;
            s.pauseEndBucket = LstmSensorState.NONE;
            s.readingsPerInterval = 0;
            s.naturalCloses = 0;
            s.sawFirst = false;
            s.earlyClosed = false;
            s.phaseCos = 0;
            s.phaseSin = 0;
            s.phaseReadings = 0;
        }
        double[] keep = s.last(Math.min(s.recentSize, m.contextLength()));
        s.recent = new double[m.contextLength()];
        s.recentSize = 0;
        if (keep != null) {
            for (double v : keep) {
                s.push(v);
            }
        }
        if (!(retrained
                && s.aggregator.sameShape(m.prior())
                && s.pointAggregator.sameShape(m.pointPrior())
                && s.intervals.fits(m.horizon(), 1 - m.coverage()))) {
            s.pending.clear(); // forecasts of another model's grid or shape
            s.centreBias.clear();
            s.aggregator = m.aggregation();
            s.pointAggregator = m.pointAggregation();
            s.intervals = IntervalAdaptation.start(m.horizon(), 1 - m.coverage(), settings.adaptationRate());
            s.missRate = 1 - m.coverage();
        }
        s.liveScale = null; // how far the earlier calibration was off says nothing of this one's
        if (!retrained) {
            s.anomaly = new AnomalyStats(settings.anomalyWindow(), m.surprisalPrior());
            s.latestScore = 0;
            s.sustainedScore = 0;
            s.stillFor = 0;
            s.rangeLow = Double.NaN;
            s.rangeHigh = Double.NaN;
        }
    }

    Observation observe(LstmSensorState s, TrainedModel m, List<Reading> readings) {
        SeriesPreparer.rejectUnusable(s.sensor, readings);
        if (m == null) {
            return new Observation(s.sensor, List.of(), 0);
        }
        bind(s, m);
        List<AnomalyScore> scores = new ArrayList<>();
        int late = 0;
        Reading[] sorted = readings.toArray(Reading[]::new);
        Arrays.sort(sorted, (a, b) -> a.timestamp().compareTo(b.timestamp()));
        for (Reading r : sorted) {
            long t = r.timestamp().toEpochMilli();
            if (t == s.takenMs && r.value() == s.takenValue) {
                // A copy of the last reading taken (MQTT delivers at least once): counted, not used,
                // so that it neither counts twice in an interval's mean nor closes it early.
                late++;
                continue;
            }
            followPhase(s, t);
            long b = s.grid.bucket(t);
            if (s.lastClosed != LstmSensorState.NONE && b <= s.lastClosed) {
                late++;
                if (b == s.lastClosed && s.earlyClosed && t != s.lastClosedAtMs) {
                    // The interval was closed as full, and was not: expect more readings per interval.
                    // A copy of the reading that closed it (MQTT delivers at least once) says nothing
                    // of the kind; taken for one, it delayed every interval after it by one, for
                    // about 14 intervals until the count was learnt again.
                    s.readingsPerInterval += 1;
                }
                continue;
            }
            if (s.openBucket != LstmSensorState.NONE && b > s.openBucket) {
                learnReadingsPerInterval(s);
                close(s, m, scores, false);
            }
            if (s.openBucket == LstmSensorState.NONE) {
                s.openBucket = b;
            }
            s.openSum += r.value();
            s.openCount++;
            s.openLastMs = t;
            s.takenMs = t;
            s.takenValue = r.value();
            if (s.naturalCloses >= LEARN_CLOSES && s.openCount >= Math.round(s.readingsPerInterval)) {
                close(s, m, scores, true);
            }
        }
        return new Observation(s.sensor, scores, late);
    }

    /**
     * Follows the readings' usual time ({@link Grid}): the grid was learnt at training, and a device
     * whose clock is reset or drifts after that would have its readings split across a boundary
     * again until a retraining. Once the usual time is more than {@link #PHASE_TOLERANCE} from the
     * grid's, the state moves to the grid training would choose now; the labels being the plain
     * grid's, one interval may go without a reading (interpolated), or one reading be late, as the
     * usual time crosses a boundary. A sensor without a usual time keeps its grid.
     */
    private static void followPhase(LstmSensorState s, long t) {
        if (s.takenMs != 0 && t - s.takenMs < s.grid.intervalMs() / 2) {
            // A second reading within half an interval: a sensor that reports many times an
            // interval has no usual time, and the phases of its latest readings (one minute of a
            // one-second sensor's hour) moved its hourly grid every few minutes.
            return;
        }
        double a = Grid.angle(t, s.grid.intervalMs());
        s.phaseCos += (Math.cos(a) - s.phaseCos) / PHASE_MEMORY;
        s.phaseSin += (Math.sin(a) - s.phaseSin) / PHASE_MEMORY;
        if (s.phaseReadings < PHASE_MEMORY) {
            s.phaseReadings++;
            return;
        }
        if (Math.hypot(s.phaseCos, s.phaseSin) >= Grid.STEADY_PHASE
                && s.grid.turnsFrom(Math.atan2(s.phaseSin, s.phaseCos)) > PHASE_TOLERANCE) {
            s.grid = Grid.around(s.grid.interval(), s.phaseCos, s.phaseSin);
        }
    }

    /**
     * Learns how many readings an interval holds from intervals closed by a later reading (never from
     * the first one seen, which may have started part way).
     */
    private static void learnReadingsPerInterval(LstmSensorState s) {
        if (s.sawFirst) {
            s.naturalCloses++;
            s.readingsPerInterval = s.naturalCloses == 1
                    ? s.openCount
                    : s.readingsPerInterval + (s.openCount - s.readingsPerInterval) / Math.min(20, s.naturalCloses);
        }
        s.sawFirst = true;
    }

    /** Closes the open interval: interpolates a short gap before it, scores it, forecasts from it. */
    private void close(LstmSensorState s, TrainedModel m, List<AnomalyScore> scores, boolean early) {
        long b = s.openBucket;
        double y = s.openSum / s.openCount;
        long at = s.openLastMs;
        s.earlyClosed = early;
        s.openBucket = LstmSensorState.NONE;
        s.openSum = 0;
        s.openCount = 0;
        if (s.lastClosed != LstmSensorState.NONE) {
            long missing = b - s.lastClosed - 1;
            if (missing > settings.at(m.interval()).maxGapSteps()) {
                // A gap too long to bridge: start afresh, as training split the history there.
                s.recentSize = 0;
                s.pending.clear();
                s.centreBias.clear();
                s.pauseEndBucket = b;
                s.pauseIntervals = missing;
            } else if (missing > 0 && s.recentSize > 0) {
                double from = s.recent[s.recentSize - 1];
                for (long k = 1; k <= missing; k++) {
                    s.push(from + (y - from) * k / (missing + 1));
                    expire(s, s.lastClosed + k, m.horizon());
                }
            }
        }
        s.lastClosed = b;
        s.lastClosedAtMs = at;
        s.push(y);
        AnomalyScore score = score(s, m, b, y, at);
        if (score != null) {
            scores.add(score);
        }
        forecastFrom(s, m, b);
    }

    /** Drops forecasts whose last step is at or before {@code bucket}. */
    private static void expire(LstmSensorState s, long bucket, int horizon) {
        s.pending.removeIf(p -> p.origin + horizon <= bucket);
    }

    private AnomalyScore score(LstmSensorState s, TrainedModel m, long b, double y, long at) {
        double nominalAlpha = 1 - m.coverage();
        double z = m.nominalZ();
        double z1 = Double.NaN;
        double zShift = Double.NaN;
        double zLong = Double.NaN;
        int shiftSteps = Math.min(SHIFT_STEPS, m.horizon());
        LiveErrorScale live = settings.liveErrorScale() ? liveScale(s, m) : null;
        // z1, zShift and zLong by the calibrated scale, which the live one learns from: locals, not
        // an array, as this runs for every sensor every interval.
        double calibratedZ1 = Double.NaN;
        double calibratedZShift = Double.NaN;
        double calibratedZLong = Double.NaN;
        for (Iterator<LstmSensorState.Pending> it = s.pending.iterator(); it.hasNext(); ) {
            LstmSensorState.Pending p = it.next();
            int h = (int) (b - p.origin);
            if (h < 1 || h > m.horizon()) {
                continue;
            }
            int i = h - 1;
            double served = p.served[i];
            s.aggregator.update(i, p.candidates, i, y, m.lossScale());
            s.pointAggregator.update(i, p.pointCandidates, i, y, m.lossScale());
            double error = Math.abs(y - served);
            double sigma = Math.max(1e-12, m.calibration().bound(i, nominalAlpha) * p.local / z);
            double zi = (y - served) / sigma;
            double calibrated = zi;
            if (live != null) {
                zi /= live.ratio(i);
            }
            if (h == 1) {
                s.centreBias.add(y - served);
                z1 = zi;
                calibratedZ1 = calibrated;
                int miss = error > halfWidth(s, m, i, p.local) ? 1 : 0;
                s.missRate += (miss - s.missRate) / MISS_MEMORY;
            }
            s.intervals.update(i, error, m.calibration(), p.local, rangeSeen(s, m));
            if (h == shiftSteps) {
                zShift = zi;
                calibratedZShift = calibrated;
            }
            if (h == m.horizon() && h != shiftSteps) {
                zLong = zi;
                calibratedZLong = calibrated;
            }
        }
        expire(s, b, m.horizon());
        if (Double.isNaN(z1) && Double.isNaN(zShift)) {
            return null; // nothing forecast this interval yet: no score rather than a made-up one
        }
        double surprise = digits(z1, NORMAL);
        double shift = Math.max(digits(zShift, NORMAL), digits(zLong, NORMAL));
        double sustained = shift;
        Stillness stillness = m.patterns().stillness();
        int run = stillness.run(s.recent, s.recentSize);
        double still = stillness.surprisal(run, y);
        s.stillFor = still > 0 ? run : 0;
        double novelty =
                Math.max(Math.max(m.novelty().surprisal(y), m.patterns().surprisal(s.recent, s.recentSize)), still);
        double raw = Math.max(surprise, Math.max(sustained, novelty));
        double score = s.anomaly.score(raw);
        boolean unseen = beyondRange(s, m, y);
        if (unseen) {
            // A value the sensor never showed: its surprise is not discounted by the surprises it did
            // show. On NAB's tuning files 54.3 -> 59.8; raising such a value to 1 outright (Numenta's
            // rule) scored 61.5 there but alerted on 7 of 30 stable synthetic series in 30 days.
            double undiscounted =
                    settings.cautiousExtremes() ? cautious(m, z, z1, zShift, shiftSteps, zLong, novelty) : raw;
            score = Math.max(score, component(undiscounted));
        }
        if (still > 0) {
            // Nor is a stillness the history never showed: a stuck sensor's every interval is
            // like the one before, and a baseline learning from them would soon call it usual.
            score = Math.max(score, component(still));
        }
        if (live != null) {
            int[] counts = m.calibration().sampleCounts();
            learn(live, 0, calibratedZ1, z, nominalAlpha, counts, score);
            learn(live, shiftSteps - 1, calibratedZShift, z, nominalAlpha, counts, score);
            learn(live, m.horizon() - 1, calibratedZLong, z, nominalAlpha, counts, score);
        }
        s.scored++;
        s.sustainedScore = Math.min(score, s.latestScore);
        s.latestScore = score;
        TrainedModel.Novelty seen = m.novelty();
        String reason = reason(
                surprise, sustained, novelty, unseen, still > 0, seen.low() == seen.high() ? seen.low() : Double.NaN);
        return new AnomalyScore(
                s.sensor,
                s.bucketStart(b),
                Instant.ofEpochMilli(at),
                y,
                score,
                component(surprise),
                component(sustained),
                component(novelty),
                reason);
    }

    /**
     * The raw surprise of a value beyond the range seen read with Student's t ({@code
     * lstm.new-extremes=cautious}): each step's scale is estimated from its calibration scores
     * ({@link Calibration#degreesOfFreedom}), which the normal law ignores; on healthy sensors a
     * scale 10-20 % too small read values 4-5 standard deviations out at 5.6-7.9 decimal digits.
     */
    private static double cautious(
            TrainedModel m, double z, double z1, double zShift, int shiftSteps, double zLong, double novelty) {
        Calibration cal = m.calibration();
        double perScore = Calibration.degreesPerScore(m.coverage(), z);
        double surprise = digits(z1, cal.degreesOfFreedom(0, perScore));
        double shift = digits(zShift, cal.degreesOfFreedom(shiftSteps - 1, perScore));
        double longer = digits(zLong, cal.degreesOfFreedom(m.horizon() - 1, perScore));
        return Math.max(Math.max(surprise, shift), Math.max(longer, novelty));
    }

    /** Teaches the live scale step {@code i}'s error by the calibrated scale, when there was one. */
    private static void learn(
            LiveErrorScale live,
            int i,
            double calibratedZ,
            double nominalZ,
            double nominalAlpha,
            int[] calibrationScores,
            double score) {
        if (!Double.isNaN(calibratedZ)) {
            live.learn(i, calibratedZ, nominalZ, nominalAlpha, calibrationScores[i], score);
        }
    }

    /** The state's live error scale ({@code lstm.error-scale=live}), started at the calibration's. */
    private static LiveErrorScale liveScale(LstmSensorState s, TrainedModel m) {
        if (s.liveScale == null || !s.liveScale.fits(m.horizon())) {
            s.liveScale = new LiveErrorScale(m.horizon());
        }
        return s.liveScale;
    }

    /** Read with the normal law: {@link #digits}' degrees of freedom for it. */
    private static final double NORMAL = Double.POSITIVE_INFINITY;

    /**
     * A standardized error's surprise in decimal digits, two-sided, under Student's t with {@code
     * nu} degrees of freedom ({@link #NORMAL}: the normal law); 0 when there is no such error.
     */
    private static double digits(double z, double nu) {
        if (Double.isNaN(z)) {
            return 0;
        }
        return -(nu == NORMAL ? Tails.log10NormalTwoSided(z) : Tails.log10StudentTwoSided(z, nu));
    }

    /**
     * "surprise 1.2, shift 3.4, novelty 0.0 decimal digits". Not String.format, which built its
     * number format symbols on every call: 13 of 101 profile samples of a scored reading (about 7 us).
     * {@code heldOnly} is the one value a training history held throughout, NaN when it held more.
     */
    static String reason(
            double surprise, double shift, double novelty, boolean unseen, boolean still, double heldOnly) {
        StringBuilder b = new StringBuilder(80).append("surprise ");
        oneDecimal(b, surprise).append(", shift ");
        oneDecimal(b, shift).append(", novelty ");
        oneDecimal(b, novelty).append(" decimal digits");
        if (unseen) {
            b.append(", beyond the range seen");
        }
        if (still) {
            b.append(", unchanged longer than ever in the training history");
        }
        if (!Double.isNaN(heldOnly)) {
            // Its error scale is then the floor, a millionth of the level: any change is certain, and
            // the digits (2e21 for 20.0 to 20.1) say nothing more. The user is told why.
            b.append(", a model trained on a history that held only ").append(heldOnly);
        }
        return b.toString();
    }

    /**
     * A surprisal beyond {@link #MEANINGFUL_DIGITS} is written as "more than 300": a probability
     * below 1e-300 is at the end of a double's range, and such digits came only from a scale at its
     * floor (2171472409516320500000.0 for a model of a history that never changed).
     */
    static final double MEANINGFUL_DIGITS = 300;

    /** A surprisal (never negative) with one decimal, as %.1f writes it. */
    private static StringBuilder oneDecimal(StringBuilder b, double digits) {
        if (digits > MEANINGFUL_DIGITS) {
            return b.append("more than 300");
        }
        long tenths = Math.round(digits * 10);
        return b.append(tenths / 10).append('.').append(tenths % 10);
    }

    /**
     * Whether {@code y} lies beyond the smallest or largest interval seen so far (the training
     * history's at first) by more than {@link #RANGE_TOLERANCE} of that range; then learns it.
     */
    private static boolean beyondRange(LstmSensorState s, TrainedModel m, double y) {
        double tolerance = RANGE_TOLERANCE * rangeSeen(s, m);
        boolean beyond = tolerance > 0 && (y > s.rangeHigh + tolerance || y < s.rangeLow - tolerance);
        s.rangeLow = Math.min(s.rangeLow, y);
        s.rangeHigh = Math.max(s.rangeHigh, y);
        return beyond;
    }

    /** The width of the range of values seen, the training history's until the state has scored one. */
    private static double rangeSeen(LstmSensorState s, TrainedModel m) {
        if (Double.isNaN(s.rangeLow)) {
            s.rangeLow = m.novelty().low();
            s.rangeHigh = m.novelty().high();
        }
        return s.rangeHigh - s.rangeLow;
    }

    /** A surprisal in decimal digits on the anomaly score's scale: 0.5 is 1e-3, 1 is 1e-6. */
    private static double component(double digits) {
        return Math.min(1, Math.max(0, digits / AnomalyStats.DIGITS_FOR_ONE));
    }

    /** The adapted half-width of step {@code h}'s interval ({@link IntervalAdaptation}). */
    static double halfWidth(LstmSensorState s, TrainedModel m, int h, double scale) {
        return s.intervals.halfWidth(h, m.calibration(), scale, rangeSeen(s, m));
    }

    /**
     * Makes sure a forecast from the newest complete interval waits in the state (a state just bound
     * to a retrained model has none yet).
     */
    void ensureForecast(LstmSensorState s, TrainedModel m) {
        LstmSensorState.Pending p = s.pending.peekLast();
        if (s.lastClosed != LstmSensorState.NONE && (p == null || p.origin != s.lastClosed)) {
            forecastFrom(s, m, s.lastClosed);
        }
    }

    /** Consecutive intervals the state must hold before it forecasts ({@link #forecastFrom} says why). */
    static int contextNeeded(LstmSensorState s, TrainedModel m) {
        return s.scored == 0 ? m.contextLength() : m.sequenceLength();
    }

    /**
     * Why the state's window of consecutive intervals is short, when a pause in the readings longer
     * than {@code lstm.max-gap} started it; null otherwise (a fresh state, or one restored). A
     * sensor that reports only when its value changes (a deadband, report by exception) pauses like
     * that whenever it is steady, and was told only to wait, again after every steady spell.
     */
    String shortWindowCause(LstmSensorState s, TrainedModel m) {
        if (s.pauseEndBucket == LstmSensorState.NONE
                || s.lastClosed == LstmSensorState.NONE
                || s.lastClosed - s.pauseEndBucket + 1 != s.recentSize) {
            return null;
        }
        Duration interval = m.interval();
        return "its readings paused for " + s.pauseIntervals + " intervals of " + interval + " ("
                + interval.multipliedBy(s.pauseIntervals) + ") before " + s.bucketStart(s.pauseEndBucket)
                + ", longer than lstm.max-gap (" + settings.at(interval).maxGap() + "), and the window of"
                + " consecutive intervals started afresh; a sensor that reports only when its value changes"
                + " needs an lstm.max-gap longer than its steady spells";
    }

    /**
     * Makes the forecast from the end of interval {@code b}, when the state holds the LSTM's window.
     * The seasonal candidates need a whole season of context besides: after a gap longer than {@code
     * lstm.max-gap} they sit out until the state holds one again, and the others forecast. Waiting
     * for them left a 5-minute sensor without forecasts or anomaly scores for 27 hours after every
     * such gap (324 intervals of context for a daily season).
     *
     * <p>A state that has never scored still waits for a whole context. A host warms a state with
     * more than a season ({@code prognos.forecast-lookback}), but NAB's runner starts one at the
     * first row: forecasting that first season from the other candidates cost 2.0 points on the
     * tuning set (70.0 -> 68.0; neither the anomaly baseline learning from those intervals nor
     * their scores was the cause; what was, was not found), and waiting reproduces every tuning
     * file's score.
     */
    private void forecastFrom(LstmSensorState s, TrainedModel m, long b) {
        if (s.recentSize < contextNeeded(s, m)) {
            return;
        }
        double[] context = s.last(Math.min(s.recentSize, m.contextLength()));
        double[] lstm = m.lstmWindow(context);
        float[] out = networks.predict(m, lstm);
        double[][] c = m.candidates(context, out, 0);
        double[][] pc = m.pointCandidates(c, context, out, 0);
        double[] w = new double[Method.values().length];
        float[] served = new float[m.horizon()];
        float[] point = new float[m.horizon()];
        for (int h = 0; h < m.horizon(); h++) {
            served[h] = (float) s.aggregator.mix(h, c, w);
            point[h] = (float) s.pointAggregator.mix(h, pc, w);
        }
        double[] median = pc[Method.LSTM.ordinal()];
        s.pending.addLast(new LstmSensorState.Pending(
                b,
                ModelTrainer.toFloat(c),
                served,
                ModelTrainer.toFloat(new double[][] {median})[0], // null without the LSTM candidate
                point,
                m.scaler().errorScale(),
                context[context.length - 1]));
    }
}
