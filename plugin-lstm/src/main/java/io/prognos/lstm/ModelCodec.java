package io.prognos.lstm;

import io.prognos.api.SensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The byte format of a stored model: magic, format version, every field of {@link TrainedModel}
 * (weights as float32), and a trailing CRC32 over everything before it. A reader refuses a wrong
 * magic, an unknown format version or a bad checksum with {@link CorruptModelException}, never
 * with a half-read model.
 */
final class ModelCodec {

    /**
     * 10: the training request's options ({@link TrainedModel#trainOptions}), which a host repeats
     * when it trains the sensor again; an earlier model reads without them, as if trained with none.
     * 9: the training history's in-sample naive MAE, the scale of the model's MASE; an earlier
     * model reads without it (its listing has no {@code mase}). 8: the grid's shift ({@link
     * Grid}), for a sensor that reports at a usual time in each interval; an earlier model reads
     * on the plain grid, as it was trained. 7: a second head on
     * the network's dense layer, fitted to the absolute error, and the served point's aggregation
     * ({@link TrainedModel#pointPrior}); an earlier model reads with one head, its point forecast
     * the one its intervals are centred on, as before. 6: the training history's
     * shapes ({@link PatternNovelty}); a version-4 or -5 model reads without them, its anomaly score
     * as before. 5: the aggregation's loss scale as one number (it was one per step, all equal) and
     * its candidates' cumulative losses, which nothing read, no longer kept; a version-4 model reads.
     * 4: the aggregation's state after the validation windows (weights and mixability gaps), which
     * the online aggregation carries on from, and losses over the training history's range; a
     * version-3 model's losses are clipped at four last-value MAEs. 3: calibration scores relative
     * to the training data's typical one-step change ({@link Scaler#errorScale}); a version-2
     * model's are relative to each window's own, so it is refused and retrained rather than served
     * with intervals of the wrong width. 2: online aggregation, calibration windows of their own,
     * anomaly baseline and novelty range.
     */
    static final int FORMAT_VERSION = 10;
    /**
     * The oldest format read: 4 differs only in what 5 no longer keeps, 5 only in what 6 adds, 6 only
     * in what 7 adds, 7 only in what 8 adds, 8 only in what 9 adds, 9 only in what 10 adds.
     */
    static final int OLDEST_READ = 4;

    private static final int MAGIC = 0x50524731; // "PRG1"
    /** More options than a training takes ({@link LstmSettings#TRAIN_OPTIONS}) are a writer's bug. */
    private static final int MAX_OPTIONS = 64;

    /** The stored bytes cannot be turned back into a model. */
    static class CorruptModelException extends Exception {
        private static final long serialVersionUID = 1L;

        CorruptModelException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A model written by an earlier version of the plugin, in a format this one no longer reads: expected after an upgrade. */
    static final class OutdatedModelException extends CorruptModelException {
        private static final long serialVersionUID = 1L;

        OutdatedModelException(int version) {
            super(
                    "model format version " + version + " was written by an earlier version of the plugin (this one"
                            + " reads " + OLDEST_READ + " to " + FORMAT_VERSION + ")",
                    null);
        }
    }

    private ModelCodec() {}

    static byte[] encode(TrainedModel m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 * 1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT_VERSION);
            out.writeUTF(m.sensor().deviceId());
            out.writeUTF(m.sensor().sensorKey());
            out.writeUTF(m.modelVersion());
            out.writeLong(m.trainedAt().toEpochMilli());
            out.writeLong(m.interval().toMillis());
            out.writeInt(m.sequenceLength());
            out.writeInt(m.horizon());
            out.writeInt(m.units());
            out.writeDouble(m.coverage());
            out.writeInt(m.seasonalSteps());
            out.writeInt(m.contextLength());
            out.writeDouble(m.scaler().diffScale());
            out.writeDouble(m.scaler().mean());
            out.writeDouble(m.scaler().std());
            out.writeDouble(m.dampedTrend().alpha());
            out.writeDouble(m.dampedTrend().beta());
            out.writeDouble(m.dampedTrend().phi());
            DataArrays.writeFloats(out, m.parameters());
            float[][] scores = m.calibration().sortedScores();
            out.writeInt(scores.length);
            for (int h = 0; h < scores.length; h++) {
                out.writeInt(m.calibration().sampleCounts()[h]);
                DataArrays.writeFloats(out, scores[h]);
            }
            m.prior().write(out);
            m.pointPrior().write(out);
            out.writeDouble(m.lossScale());
            out.writeDouble(m.novelty().low());
            out.writeDouble(m.novelty().high());
            out.writeDouble(m.novelty().scale());
            out.writeDouble(m.surprisalPrior());
            m.patterns().write(out);
            TrainedModel.Metrics x = m.metrics();
            out.writeDouble(x.trainLoss());
            out.writeDouble(x.valLoss());
            DataArrays.writeDoubles(out, x.methodMae());
            out.writeDouble(x.servedMae());
            out.writeDouble(x.calibrationMae());
            out.writeDouble(x.calibrationLastValueMae());
            out.writeInt(x.sampleCount());
            out.writeInt(x.trainWindows());
            out.writeInt(x.valWindows());
            out.writeInt(x.calWindows());
            out.writeInt(x.epochsRun());
            out.writeLong(x.trainingMillis());
            out.writeUTF(x.servedMethod());
            out.writeUTF(x.reason());
            out.writeDouble(x.inSampleNaiveMae());
            out.writeLong(m.grid().shiftMs());
            Map<String, String> options = new TreeMap<>(m.trainOptions());
            out.writeInt(options.size());
            for (Map.Entry<String, String> o : options.entrySet()) {
                out.writeUTF(o.getKey());
                out.writeUTF(o.getValue());
            }
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static TrainedModel decode(byte[] data) throws CorruptModelException {
        if (data == null || data.length < 16) {
            throw new CorruptModelException("stored model is empty or truncated", null);
        }
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length - 8);
        long stored = ByteBuffer.wrap(data, data.length - 8, 8).getLong();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 0, data.length - 8))) {
            if (in.readInt() != MAGIC) {
                throw new CorruptModelException("not a Prognos LSTM model (bad magic number)", null);
            }
            int version = in.readInt();
            if (version > 0 && version < OLDEST_READ) {
                throw new OutdatedModelException(version);
            }
            if (version > FORMAT_VERSION || version < OLDEST_READ) {
                throw new CorruptModelException(
                        "model format version " + version + " is not supported (this plugin reads " + OLDEST_READ
                                + " to " + FORMAT_VERSION + "); retrain the sensor",
                        null);
            }
            if (crc.getValue() != stored) {
                throw new CorruptModelException("model checksum mismatch: the stored bytes are damaged", null);
            }
            SensorId sensor = new SensorId(in.readUTF(), in.readUTF());
            String modelVersion = in.readUTF();
            Instant trainedAt = Instant.ofEpochMilli(in.readLong());
            Duration interval = Duration.ofMillis(in.readLong());
            int seq = in.readInt();
            // Sizes are checked before anything is allocated by them: the checksum guards against
            // damage in storage, not against a writer's bug, and a huge allocation would be an
            // OutOfMemoryError in the host rather than a model marked for retraining.
            int horizon = DataArrays.checked(in.readInt(), LstmSettings.MAX_HORIZON);
            int units = DataArrays.checked(in.readInt(), LstmSettings.MAX_UNITS);
            double coverage = in.readDouble();
            int seasonal = in.readInt();
            int context = in.readInt();
            Scaler scaler = new Scaler(in.readDouble(), in.readDouble(), in.readDouble());
            Baselines.DampedTrend damped = new Baselines.DampedTrend(in.readDouble(), in.readDouble(), in.readDouble());
            int heads = version >= 7 ? TrainedModel.TRAINED_HEADS : 1;
            float[] params = DataArrays.readFloats(
                    in, new NetworkShape(Scaler.FEATURES, units, horizon, heads).parameterCount());
            int steps = DataArrays.checked(in.readInt(), horizon);
            float[][] scores = new float[steps][];
            int[] counts = new int[steps];
            for (int h = 0; h < steps; h++) {
                counts[h] = in.readInt();
                scores[h] = DataArrays.readFloats(in, Calibration.MAX_POINTS);
            }
            Aggregator prior = Aggregator.read(in, false);
            Aggregator pointPrior = version >= 7 ? Aggregator.read(in, false) : prior;
            boolean[] available = prior.availableArray();
            if (available.length != Method.values().length) {
                throw new CorruptModelException(
                        "model has " + available.length + " candidates, this plugin knows " + Method.values().length,
                        null);
            }
            double lossScale;
            if (version == OLDEST_READ) {
                double[] perStep = DataArrays.readDoubles(in);
                if (perStep.length != horizon) {
                    throw new CorruptModelException("model shape does not match its weights", null);
                }
                lossScale = perStep[0]; // every step's was the same
            } else {
                lossScale = in.readDouble();
            }
            TrainedModel.Novelty novelty = new TrainedModel.Novelty(in.readDouble(), in.readDouble(), in.readDouble());
            double surprisalPrior = in.readDouble();
            PatternNovelty patterns = version >= 6 ? PatternNovelty.read(in) : PatternNovelty.NONE;
            TrainedModel.Metrics metrics = new TrainedModel.Metrics(
                    in.readDouble(),
                    in.readDouble(),
                    DataArrays.readDoubles(in),
                    in.readDouble(),
                    in.readDouble(),
                    in.readDouble(),
                    in.readInt(),
                    in.readInt(),
                    in.readInt(),
                    in.readInt(),
                    in.readInt(),
                    in.readLong(),
                    in.readUTF(),
                    in.readUTF(),
                    version >= 9 ? in.readDouble() : Double.NaN);
            if (metrics.inSampleNaiveMae() < 0) {
                throw new CorruptModelException("model's in-sample naive MAE is negative", null);
            }
            long shift = version >= 8 ? in.readLong() : 0;
            if (Math.abs(shift) > interval.toMillis() / 2) {
                throw new CorruptModelException("model's grid shift " + shift + " ms exceeds half its interval", null);
            }
            Map<String, String> options = new TreeMap<>();
            if (version >= 10) {
                int count = DataArrays.checked(in.readInt(), MAX_OPTIONS);
                for (int i = 0; i < count; i++) {
                    options.put(in.readUTF(), in.readUTF());
                }
            }
            TrainedModel m = new TrainedModel(
                    sensor,
                    modelVersion,
                    trainedAt,
                    new Grid(interval, shift),
                    seq,
                    horizon,
                    units,
                    heads,
                    coverage,
                    seasonal,
                    context,
                    scaler,
                    damped,
                    params,
                    new Calibration(scores, counts),
                    prior,
                    pointPrior,
                    lossScale,
                    available,
                    novelty,
                    patterns,
                    surprisalPrior,
                    metrics,
                    options);
            if (params.length != m.shape().parameterCount()
                    || steps != horizon
                    || prior.roundsArray().length != horizon
                    || pointPrior.roundsArray().length != horizon
                    || !Arrays.equals(pointPrior.availableArray(), available)) {
                throw new CorruptModelException("model shape does not match its weights", null);
            }
            return m;
        } catch (IOException | RuntimeException e) {
            throw new CorruptModelException("stored model cannot be read: " + e.getMessage(), e);
        }
    }

    static String checksum(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
