package io.prognos.evaluation.nab;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A profile's score over several files scored together at one threshold. {@code raw} is the sum
 * of the files' scores; {@code nullScore} is a detector that never fires ({@code -fnWeight} per
 * window), {@code perfect} one that fires at every window's left edge ({@code tpWeight} per
 * window); {@code score} is NAB's normalized score {@code 100 (raw - null) / (perfect - null)}.
 */
public record CorpusScore(
        String profile,
        double threshold,
        double score,
        double raw,
        @JsonProperty("null") double nullScore,
        double perfect,
        int windows) {

    static CorpusScore of(CostProfile p, double threshold, double raw, int windows) {
        double nul = -p.fnWeight() * windows;
        double perfect = p.tpWeight() * windows;
        double score = perfect > nul ? 100 * (raw - nul) / (perfect - nul) : Double.NaN;
        return new CorpusScore(p.name(), threshold, score, raw, nul, perfect, windows);
    }
}
