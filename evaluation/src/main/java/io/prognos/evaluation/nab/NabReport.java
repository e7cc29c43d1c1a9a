package io.prognos.evaluation.nab;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * What {@code nab} reports: NAB's normalized score of each profile over all the files at the
 * fixed threshold, and separately the best-threshold score, which is chosen on these same files
 * (as NAB's scoreboard did per detector) and therefore flatters; per file, the raw scores, counts
 * and timing.
 */
public record NabReport(
        String detector,
        double threshold,
        String thresholdSource,
        CorpusScore standard,
        @JsonProperty("reward_low_FP_rate") CorpusScore rewardLowFpRate,
        @JsonProperty("reward_low_FN_rate") CorpusScore rewardLowFnRate,
        BestThreshold bestThreshold,
        int windows,
        double seconds,
        List<FileReport> files,
        List<String> unmatched) {

    /** The best threshold per profile: a figure chosen on the data it is reported on. */
    public record BestThreshold(String note, Map<String, CorpusScore> profiles) {}

    /** One file: rows, scoring time (null when scores were read, not computed) and each profile's result. */
    public record FileReport(String file, int rows, Double seconds, Map<String, FileScore> profiles) {}
}
