package io.prognos.lstm;

import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * One sensor's online state (see {@link Observer} for what happens to it): the interval being
 * filled, the recent complete intervals, the forecasts waiting for their actuals, the aggregation's
 * weights, the intervals' adaptation, and the anomaly statistics. Plain data with a
 * versioned byte form; not thread-safe, as the SPI says.
 */
final class LstmSensorState implements SensorState {

    private static final int MAGIC = 0x50525331; // "PRS1"
    /**
     * 10: the served centre's last one-step errors ({@link CentreBias}); a format-9 state has none
     * and corrects the risk's paths once it has scored that many intervals.
     * 9: the live error scale ({@link LiveErrorScale}), when there is one; a format-8 state has none
     * and starts one at the calibration's if the setting asks for it.
     * 8: the grid's shift ({@link Grid}), the readings' phase and the last reading taken; a format-7
     * state is on the plain grid, as its model, and follows the phase from its next reading.
     * 7: the served point's forecast and aggregation beside the one intervals are centred on
     * ({@link TrainedModel#pointPrior}); a format-6 state, whose model has one head, reads with its
     * point the forecast and its point's aggregation a copy of the other, which then learns the same.
     * 6: the aggregations' cumulative losses, which nothing read, no longer kept ({@link
     * Aggregator#write}).
     */
    private static final int FORMAT = 10;
    /** The format before the served centre's one-step errors. */
    private static final int FORMAT_WITHOUT_CENTRE_BIAS = 9;
    /** The format before the live error scale. */
    private static final int FORMAT_WITHOUT_LIVE_SCALE = 8;
    /** The format before the served point's own aggregation. */
    private static final int FORMAT_ONE_AGGREGATION = 6;
    /** The format before the interval experts: one miscoverage and width factor per step, read into each. */
    private static final int FORMAT_ONE_RATE = 4;
    /** The format before the range of values seen; read, its range taken from the model. */
    private static final int FORMAT_WITHOUT_RANGE = 2;

    static final long NONE = Long.MIN_VALUE;

    /** A forecast made at the end of interval {@code origin}, waiting for the intervals after it. */
    static final class Pending {
        final long origin;
        final float[][] candidates; // [method][step], null rows for unavailable candidates
        final float[] served; // [step]: what intervals, anomaly signals and risk are centred on
        final float[] pointLstm; // [step]: the median head's forecast, null without the LSTM candidate
        final float[] point; // [step]: the served point forecast
        /** The served point's candidates: {@link #candidates} with the median head's LSTM forecast. */
        final float[][] pointCandidates;

        final double local; // the scale of its errors when it was made (Scaler.errorScale)
        final double lastValue;

        Pending(
                long origin,
                float[][] candidates,
                float[] served,
                float[] pointLstm,
                float[] point,
                double local,
                double lastValue) {
            this.origin = origin;
            this.candidates = candidates;
            this.served = served;
            this.pointLstm = pointLstm;
            this.point = point;
            this.pointCandidates = candidates.clone();
            if (pointLstm != null) {
                pointCandidates[Method.LSTM.ordinal()] = pointLstm;
            }
            this.local = local;
            this.lastValue = lastValue;
        }
    }

    final SensorId sensor;
    String modelVersion;
    /** The grid the bucket indices below are on (the model's, or where the readings moved it); null until bound. */
    Grid grid;
    // The readings' phase, an exponential mean of unit vectors (Observer.followPhase).
    double phaseCos;
    double phaseSin;
    int phaseReadings;
    /** The last reading taken into an interval, to tell a copy of it delivered again. */
    long takenMs = NONE;

    double takenValue;
    // The interval being filled.
    long openBucket = NONE;
    double openSum;
    int openCount;
    long openLastMs;
    // Readings per interval, learnt, so that an interval can be closed as soon as it is full.
    double readingsPerInterval;
    int naturalCloses;
    boolean sawFirst;
    boolean earlyClosed;
    // The recent complete intervals, oldest first, and the last one's index.
    double[] recent = new double[0];
    int recentSize;
    long lastClosed = NONE;
    /** When the last reading of the last complete interval arrived: what a forecast is based on. */
    long lastClosedAtMs;
    /**
     * The last pause in the readings too long to bridge: the first interval after it and how many
     * intervals it left empty. Kept in memory only, to say why a forecast must wait; a restored
     * state does not know it and says less.
     */
    long pauseEndBucket = NONE;

    long pauseIntervals;

    final Deque<Pending> pending = new ArrayDeque<>();
    Aggregator aggregator;
    /** The served point's aggregation ({@link TrainedModel#pointPrior}). */
    Aggregator pointAggregator;

    IntervalAdaptation intervals;

    double missRate;
    /** How far the calibrated error scale is off on live errors; null unless {@code lstm.error-scale=live}. */
    LiveErrorScale liveScale;
    /** What the risk's paths add to the forecast's centre. */
    CentreBias centreBias = new CentreBias();
    /**
     * The law of the risk's path errors, of the model {@link #shapeVersion} that made this state's
     * last forecast: the risk reads it here, so that a model dropped from memory between the forecast
     * and its risk is not read from the store again. Not stored: the next forecast sets it.
     */
    ErrorShape shape;

    String shapeVersion;

    AnomalyStats anomaly;
    long scored;
    /** The smallest and largest complete intervals seen (training included); NaN until scored. */
    double rangeLow = Double.NaN;

    double rangeHigh = Double.NaN;
    /** The newest interval's anomaly score, what risk reads. */
    double latestScore;
    /** The lower of the last two intervals' scores: what says a departure persists. */
    double sustainedScore;
    /**
     * Intervals the value has stayed the same when that is longer than the training history ever
     * showed (a stuck sensor), else 0; for the risk's reason. Not stored: a restored state says it
     * again from its next interval, as the score does.
     */
    int stillFor;

    LstmSensorState(SensorId sensor) {
        this.sensor = sensor;
    }

    @Override
    public SensorId sensor() {
        return sensor;
    }

    @Override
    public String modelVersion() {
        return modelVersion;
    }

    @Override
    public long intervalsScored() {
        return scored;
    }

    /** The newest {@code n} complete intervals, oldest first; null when fewer are known. */
    double[] last(int n) {
        if (recentSize < n) {
            return null;
        }
        return Arrays.copyOfRange(recent, recentSize - n, recentSize);
    }

    void push(double v) {
        if (recentSize == recent.length) {
            System.arraycopy(recent, 1, recent, 0, recent.length - 1);
            recentSize--;
        }
        recent[recentSize++] = v;
    }

    Instant bucketStart(long bucket) {
        return grid.start(bucket);
    }

    @Override
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeUTF(sensor.deviceId());
            out.writeUTF(sensor.sensorKey());
            out.writeBoolean(modelVersion != null);
            if (modelVersion == null) {
                out.flush();
                return bytes.toByteArray();
            }
            out.writeUTF(modelVersion);
            out.writeLong(grid.intervalMs());
            out.writeLong(openBucket);
            out.writeDouble(openSum);
            out.writeInt(openCount);
            out.writeLong(openLastMs);
            out.writeDouble(readingsPerInterval);
            out.writeInt(naturalCloses);
            out.writeBoolean(sawFirst);
            out.writeBoolean(earlyClosed);
            out.writeInt(recent.length);
            out.writeInt(recentSize);
            for (int i = 0; i < recentSize; i++) {
                out.writeDouble(recent[i]);
            }
            out.writeLong(lastClosed);
            out.writeLong(lastClosedAtMs);
            out.writeInt(pending.size());
            for (Pending p : pending) {
                out.writeLong(p.origin);
                out.writeDouble(p.local);
                out.writeDouble(p.lastValue);
                DataArrays.writeFloats(out, p.served);
                DataArrays.writeFloats(out, p.point);
                out.writeBoolean(p.pointLstm != null);
                if (p.pointLstm != null) {
                    DataArrays.writeFloats(out, p.pointLstm);
                }
                out.writeInt(p.candidates.length);
                for (float[] c : p.candidates) {
                    out.writeBoolean(c != null);
                    if (c != null) {
                        DataArrays.writeFloats(out, c);
                    }
                }
            }
            aggregator.write(out);
            pointAggregator.write(out);
            out.writeDouble(missRate);
            anomaly.write(out);
            out.writeLong(scored);
            out.writeDouble(latestScore);
            out.writeDouble(sustainedScore);
            out.writeDouble(rangeLow);
            out.writeDouble(rangeHigh);
            intervals.write(out);
            out.writeLong(grid.shiftMs());
            out.writeDouble(phaseCos);
            out.writeDouble(phaseSin);
            out.writeInt(phaseReadings);
            out.writeLong(takenMs);
            out.writeDouble(takenValue);
            out.writeBoolean(liveScale != null);
            if (liveScale != null) {
                liveScale.write(out);
            }
            centreBias.write(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The state in {@code bytes}; throws {@link IOException} for anything else. A state of a format
     * before the interval experts gives each of them its adaptation, at {@code adaptationRate}'s grid
     * around {@code nominalAlpha}.
     */
    static LstmSensorState fromBytes(byte[] bytes, double nominalAlpha, double adaptationRate) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) {
                throw new IOException("not a Prognos LSTM sensor state");
            }
            int format = in.readInt();
            if (format < FORMAT_WITHOUT_RANGE || format > FORMAT) {
                throw new IOException("sensor state format " + format + " is not supported (this plugin reads "
                        + FORMAT_WITHOUT_RANGE + " to " + FORMAT + ")");
            }
            LstmSensorState s = new LstmSensorState(new SensorId(in.readUTF(), in.readUTF()));
            if (!in.readBoolean()) {
                return s;
            }
            s.modelVersion = in.readUTF();
            long intervalMs = in.readLong();
            s.openBucket = in.readLong();
            s.openSum = in.readDouble();
            s.openCount = in.readInt();
            s.openLastMs = in.readLong();
            s.readingsPerInterval = in.readDouble();
            s.naturalCloses = in.readInt();
            s.sawFirst = in.readBoolean();
            s.earlyClosed = in.readBoolean();
            s.recent = new double[DataArrays.checked(in.readInt(), DataArrays.MAX_LENGTH)];
            s.recentSize = DataArrays.checked(in.readInt(), s.recent.length);
            for (int i = 0; i < s.recentSize; i++) {
                s.recent[i] = in.readDouble();
            }
            s.lastClosed = in.readLong();
            s.lastClosedAtMs = in.readLong();
            int pendings = DataArrays.checked(in.readInt(), 10_000);
            for (int i = 0; i < pendings; i++) {
                long origin = in.readLong();
                double local = in.readDouble();
                double last = in.readDouble();
                float[] served = DataArrays.readFloats(in);
                float[] point = served;
                float[] pointLstm = null;
                if (format > FORMAT_ONE_AGGREGATION) {
                    point = DataArrays.readFloats(in);
                    pointLstm = in.readBoolean() ? DataArrays.readFloats(in) : null;
                }
                float[][] cands = new float[DataArrays.checked(in.readInt(), 64)][];
                for (int m = 0; m < cands.length; m++) {
                    cands[m] = in.readBoolean() ? DataArrays.readFloats(in) : null;
                }
                s.pending.addLast(new Pending(origin, cands, served, pointLstm, point, local, last));
            }
            s.aggregator = Aggregator.read(in, format <= FORMAT_ONE_RATE);
            s.pointAggregator = format > FORMAT_ONE_AGGREGATION ? Aggregator.read(in, false) : s.aggregator.copy();
            double[] alpha = format > FORMAT_ONE_RATE ? null : DataArrays.readDoubles(in);
            s.missRate = in.readDouble();
            s.anomaly = AnomalyStats.read(in);
            s.scored = in.readLong();
            s.latestScore = in.readDouble();
            s.sustainedScore = in.readDouble();
            if (format != FORMAT_WITHOUT_RANGE) {
                s.rangeLow = in.readDouble();
                s.rangeHigh = in.readDouble();
            }
            if (format > FORMAT_ONE_RATE) {
                s.intervals = IntervalAdaptation.read(in);
            } else {
                // Format 3 came before the intervals' width factors: read with the factors at 0 (none).
                double[] widen = format == FORMAT_ONE_RATE ? DataArrays.readDoubles(in) : new double[alpha.length];
                if (widen.length != alpha.length) {
                    throw new IOException("width factors and miscoverages of different lengths");
                }
                s.intervals = IntervalAdaptation.from(
                        nominalAlpha, IntervalAdaptation.thetaOfClamped(alpha, widen), adaptationRate);
            }
            boolean onShiftedGrid = format >= FORMAT_WITHOUT_LIVE_SCALE;
            s.grid = new Grid(Duration.ofMillis(intervalMs), onShiftedGrid ? in.readLong() : 0);
            if (onShiftedGrid) {
                s.phaseCos = in.readDouble();
                s.phaseSin = in.readDouble();
                s.phaseReadings = in.readInt();
                s.takenMs = in.readLong();
                s.takenValue = in.readDouble();
            }
            if (format > FORMAT_WITHOUT_LIVE_SCALE && in.readBoolean()) {
                s.liveScale = LiveErrorScale.read(in);
            }
            if (format > FORMAT_WITHOUT_CENTRE_BIAS) {
                s.centreBias = CentreBias.read(in);
            }
            return s;
        } catch (EOFException e) {
            // Its message is null: the log would say "starts afresh: null".
            throw new IOException(
                    "sensor state is truncated: its " + bytes.length + " bytes end before its last field", e);
        } catch (RuntimeException e) {
            throw new IOException("sensor state cannot be read: " + e.getMessage(), e);
        }
    }
}
