package io.prognos.evaluation.forecast;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.prognos.evaluation.Stats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How true the times to failure were, with operating limits given: each assessment's forecast
 * first crossing of a failure limit against the series' own first crossing within the horizon
 * (both timed alike, {@link Backtester#firstCrossingHours}). Assessments made at or beyond a limit
 * are left out (nothing to forecast).
 *
 * @param forecastOrCame   assessments where a crossing within the horizon was forecast (by 10 % of
 *                         the risk's paths or more) or came
 * @param rangeHeld        of them, those whose 10-90 % range held the crossing as it came (a range
 *                         whose 90 % end lies beyond the horizon holds one beyond it too): nominally
 *                         80 %
 * @param cameEarlier      of them, those whose crossing came before the range's 10 % end (or came
 *                         when under 10 % of the paths crossed within the horizon)
 * @param cameLater        of them, those whose crossing came after the range's 90 % end (or not
 *                         within the horizon though 90 % of the paths crossed within it)
 * @param unforeseen       crossings that came within the horizon with under 10 % of the paths
 *                         forecasting one (some of those that came earlier)
 * @param given            assessments that gave a time to failure (half the paths or more crossing
 *                         within the horizon)
 * @param came             of them, those whose crossing came within the horizon
 * @param meanAbsErrorHours over those, the mean distance of the time given from the one that came
 * @param probabilityJudged assessments whose whole horizon the series covers: the crossing
 *                         probability is judged on these (a crossing that did not come before the
 *                         series ends may still have been due)
 * @param brierScore       over them, the mean squared difference of the crossing probability from
 *                         the outcome (1 when a crossing came within the horizon, else 0): Brier's
 *                         score, 0 for a perfect forecast
 * @param baseRate         over them, the share whose crossing came within the horizon
 * @param brierSkillScore  1 minus the Brier score over that of always forecasting the base rate
 *                         ({@code baseRate (1 - baseRate)}): above 0, better than the base rate;
 *                         absent when the base rate is 0 or 1
 * @param reliability      the crossing probabilities in tenths ([0, 0.1) ... [0.9, 1]), each with how
 *                         many assessments gave one there and how many of them saw the crossing come:
 *                         a calibrated probability comes about as often as it says
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TimeToFailureReport(
        int forecastOrCame,
        int rangeHeld,
        Double rangeCoverage,
        int cameEarlier,
        int cameLater,
        int unforeseen,
        int given,
        int came,
        Double meanAbsErrorHours,
        int probabilityJudged,
        Double brierScore,
        Double baseRate,
        Double brierSkillScore,
        List<ReliabilityBin> reliability) {

    /** The nominal coverage of the range: the paths' 10 % and 90 % first crossings. */
    public static final double NOMINAL = 0.8;

    /** How many tenths the crossing probabilities are sorted into. */
    static final int BINS = 10;

    public TimeToFailureReport {
        reliability = List.copyOf(reliability);
    }

    /**
     * The assessments whose crossing probability fell in [{@code from}, {@code to}) (the last bin
     * holds 1 too): their mean probability, and how many saw the crossing come within the horizon.
     */
    public record ReliabilityBin(double from, double to, int assessments, double meanProbability, int came) {}

    static TimeToFailureReport of(List<Backtester.TimeToFailureCase> cases) {
        Tally t = new Tally();
        for (Backtester.TimeToFailureCase c : cases) {
            Double came = c.cameHours();
            Double low = c.lowHours();
            Double high = c.highHours(); // null: beyond the horizon, as a crossing that did not come within it
            if (low != null || came != null) {
                t.forecastOrCame++;
                if (came != null && (low == null || came < low)) {
                    t.earlier++;
                    t.unforeseen += low == null ? 1 : 0;
                } else if (high != null && (came == null || came > high)) {
                    t.later++;
                } else {
                    t.held++;
                }
            }
            if (c.horizonSeen()) {
                double p = c.crossingProbability();
                int outcome = came != null ? 1 : 0;
                int bin = Math.min(BINS - 1, (int) (p * BINS));
                t.judged++;
                t.squaredError += (p - outcome) * (p - outcome);
                t.binCount[bin]++;
                t.binProbability[bin] += p;
                t.binCame[bin] += outcome;
            }
            if (c.forecastHours() != null) {
                t.given++;
                if (came != null) {
                    t.came++;
                    t.absError += Math.abs(c.forecastHours() - came);
                }
            }
        }
        return t.report();
    }

    /** Several series' together: counts summed, the mean error weighted by its count. */
    static TimeToFailureReport pooled(List<TimeToFailureReport> reports) {
        Tally t = new Tally();
        for (TimeToFailureReport r : reports) {
            t.forecastOrCame += r.forecastOrCame();
            t.held += r.rangeHeld();
            t.earlier += r.cameEarlier();
            t.later += r.cameLater();
            t.unforeseen += r.unforeseen();
            t.given += r.given();
            t.came += r.came();
            t.absError += r.came() == 0 ? 0 : r.meanAbsErrorHours() * r.came();
            t.judged += r.probabilityJudged();
            t.squaredError += r.probabilityJudged() == 0 ? 0 : r.brierScore() * r.probabilityJudged();
            for (ReliabilityBin b : r.reliability()) {
                int i = (int) Math.round(b.from() * BINS);
                t.binCount[i] += b.assessments();
                t.binProbability[i] += b.meanProbability() * b.assessments();
                t.binCame[i] += b.came();
            }
        }
        return t.report();
    }

    /** The counts as they are summed, and the errors' total. */
    private static final class Tally {
        int forecastOrCame;
        int held;
        int earlier;
        int later;
        int unforeseen;
        int given;
        int came;
        double absError;
        int judged;
        double squaredError;
        final int[] binCount = new int[BINS];
        final double[] binProbability = new double[BINS];
        final int[] binCame = new int[BINS];

        TimeToFailureReport report() {
            Double brier = judged == 0 ? null : squaredError / judged;
            double base =
                    judged == 0 ? Double.NaN : (double) Arrays.stream(binCame).sum() / judged;
            Double skill = judged == 0 || base == 0 || base == 1 ? null : Stats.round(1 - brier / (base * (1 - base)));
            List<ReliabilityBin> bins = new ArrayList<>();
            for (int i = 0; i < BINS; i++) {
                if (binCount[i] > 0) {
                    bins.add(new ReliabilityBin(
                            (double) i / BINS,
                            (double) (i + 1) / BINS,
                            binCount[i],
                            Stats.round(binProbability[i] / binCount[i]),
                            binCame[i]));
                }
            }
            return new TimeToFailureReport(
                    forecastOrCame,
                    held,
                    forecastOrCame == 0 ? null : Stats.round((double) held / forecastOrCame),
                    earlier,
                    later,
                    unforeseen,
                    given,
                    came,
                    came == 0 ? null : Stats.round(absError / came),
                    judged,
                    brier == null ? null : Stats.round(brier),
                    judged == 0 ? null : Stats.round(base),
                    skill,
                    bins);
        }
    }
}
