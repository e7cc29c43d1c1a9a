package io.prognos.evaluation.nab;

import io.prognos.api.BadRequestException;
import io.prognos.api.Reading;
import io.prognos.evaluation.data.CsvReadings;
import io.prognos.evaluation.data.LabelledWindows.Window;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Streams every data file through a detector reading by reading, as a live sensor would arrive,
 * and keeps the scores (written in NAB's results layout when an output folder is given). Files
 * run in parallel, one detector per file.
 */
public final class NabRunner {

    /** One file's scores and how long the detector took over it. */
    public record Run(ScoredFile file, double seconds) {}

    private final StreamingDetector.Factory detectors;
    private final int threads;
    private final PrintWriter progress;

    public NabRunner(StreamingDetector.Factory detectors, int threads, PrintWriter progress) {
        this.detectors = detectors;
        this.threads = threads;
        this.progress = progress;
    }

    /** Files under {@code data} without windows in {@code windows} are not run; {@code out} may be null. */
    public List<Run> run(Path data, Map<String, List<Window>> windows, Path out) throws Exception {
        List<Path> files = new ArrayList<>();
        for (Path f : NabResults.csvFiles(data)) {
            if (windows.containsKey(key(data, f))) {
                files.add(f);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "prognos-nab");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<Run>> futures = new ArrayList<>();
            for (Path f : files) {
                String key = key(data, f);
                futures.add(pool.submit(() -> {
                    Run r = runFile(f, key, windows.get(key), out);
                    synchronized (progress) {
                        progress.printf(
                                "nab: [%d/%d] %s: %d rows in %.1f s%n",
                                done.incrementAndGet(),
                                files.size(),
                                key,
                                r.file().rows(),
                                r.seconds());
                        progress.flush();
                    }
                    return r;
                }));
            }
            List<Run> runs = new ArrayList<>();
            for (Future<Run> fu : futures) {
                try {
                    runs.add(fu.get());
                } catch (ExecutionException e) {
                    // What went wrong in a file (a bad file is a BadRequestException naming it), not
                    // the executor's wrapper around it.
                    if (e.getCause() instanceof Exception cause) {
                        throw cause;
                    }
                    throw e;
                }
            }
            return runs;
        } finally {
            pool.shutdownNow();
        }
    }

    private Run runFile(Path file, String key, List<Window> windows, Path out) throws IOException {
        List<Reading> readings = CsvReadings.read(file, CsvReadings.Columns.defaults());
        int n = readings.size();
        for (int i = 1; i < n; i++) {
            // Checked before streaming: NAB's rows are in time order, and its scorer counts them so.
            if (readings.get(i).timestamp().isBefore(readings.get(i - 1).timestamp())) {
                throw new BadRequestException(
                        "--data",
                        key + ": line " + (i + 2) + " (" + readings.get(i).timestamp()
                                + ") is earlier than the line before it ("
                                + readings.get(i - 1).timestamp() + "); NAB's files are in time order");
            }
        }
        int probation = (int) Math.min(Math.floor(NabScorer.PROBATIONARY_SHARE * n), NabScorer.PROBATIONARY_CAP);
        Instant[] ts = new Instant[n];
        double[] values = new double[n];
        double[] scores = new double[n];
        double[] raw = new double[n];
        long t0 = System.nanoTime();
        try (StreamingDetector d = detectors.open(key, probation)) {
            for (int i = 0; i < n; i++) {
                Reading r = readings.get(i);
                ts[i] = r.timestamp();
                values[i] = r.value();
                StreamingDetector.Score s = d.score(r);
                scores[i] = s.scored();
                raw[i] = s.raw();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        ScoredFile scored = new ScoredFile(key, ts, scores, windows);
        if (out != null) {
            NabResults.write(out, detectors.name(), scored, values, raw);
        }
        return new Run(scored, seconds);
    }

    static String key(Path data, Path file) {
        return data.relativize(file).toString().replace('\\', '/');
    }
}
