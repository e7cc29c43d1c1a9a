package io.prognos.evaluation.forecast;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.prognos.evaluation.Stats;
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
        Double meanAbsErrorHours) {

    /** The nominal coverage of the range: the paths' 10 % and 90 % first crossings. */
    public static final double NOMINAL = 0.8;

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

        TimeToFailureReport report() {
            return new TimeToFailureReport(
                    forecastOrCame,
                    held,
                    forecastOrCame == 0 ? null : Stats.round((double) held / forecastOrCame),
                    earlier,
                    later,
                    unforeseen,
                    given,
                    came,
                    came == 0 ? null : Stats.round(absError / came));
        }
    }
}
