package io.prognos.host.cli;

import io.prognos.host.demo.Bench;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench}: the plugin's performance figures through the SPI, with the configured engine. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Performance figures of the plugin through the SPI: training, one forecast, a batch of"
                + " distinct models, model size, resident memory over many trainings. Medians of warm runs.")
final class BenchCommand extends HostCommand {

    @Option(
            names = "--sensors",
            paramLabel = "N",
            defaultValue = "1000",
            description = "distinct models in the" + " batched forecast (default 1000)")
    int sensors;

    @Option(
            names = "--trainings",
            paramLabel = "N",
            defaultValue = "500",
            description = "trainings for the memory figure (default 500; 0 skips it)")
    int trainings;

    @Option(names = "--json", description = "JSON instead of the table")
    boolean json;

    @Override
    public Integer call() throws Exception {
        atLeastOne("--sensors", sensors);
        // 0 skips the memory figure, as the measurements of observe_us_1 in README and docs run it.
        atLeast("--trainings", trainings, 0);
        Launch launch = Launch.of(config);
        PrintWriter out = out();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> figures = new Bench(launch::startAlone, err).run(sensors, trainings);
        Figures.print(out, figures, json);
        return 0;
    }
}
