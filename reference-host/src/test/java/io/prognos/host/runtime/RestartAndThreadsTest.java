package io.prognos.host.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prognos.api.Forecast;
import io.prognos.api.ModelInfo;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.api.SensorState;
import io.prognos.api.TrainRequest;
import io.prognos.host.HostFixture;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Models survive a restart of the host, and prognos.threads bounds the CPU that training takes. */
class RestartAndThreadsTest {

    @Test
    void afterARestartEveryModelIsBackAndForecastsAreIdentical() throws Exception {
        Path dir = HostFixture.dataDir();
        Map<String, String> config = HostFixture.config(dir);
        List<SensorId> sensors = List.of(SensorId.of("press-1", "oil_temp"), SensorId.of("press-2", "oil_temp"));
        List<ModelInfo> before = new ArrayList<>();
        List<Forecast> forecasts = new ArrayList<>();
        List<Reading> recent;
        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.STORE_ONLY)) {
            List<Reading> history = HostFixture.hourly(300, 0.01, 3);
            recent = history.subList(history.size() - 48, history.size());
            for (SensorId s : sensors) {
                HostFixture.store(host, s, history);
                before.add(host.service().train(s, Map.of()));
                forecasts.add(host.plugin().forecast(stateAfter(host, s, recent)));
            }
        }
        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.STORE_ONLY)) {
            for (int i = 0; i < sensors.size(); i++) {
                ModelInfo after = host.plugin().model(sensors.get(i)).orElseThrow();
                assertEquals(before.get(i).modelVersion(), after.modelVersion(), "reloaded, not retrained");
                Forecast again = host.plugin().forecast(stateAfter(host, sensors.get(i), recent));
                for (int h = 0; h < again.horizon(); h++) {
                    assertEquals(
                            forecasts.get(i).points().get(h).value(),
                            again.points().get(h).value(),
                            0.0);
                    assertEquals(
                            forecasts.get(i).points().get(h).lower(),
                            again.points().get(h).lower(),
                            0.0);
                }
            }
        }
    }

    private static SensorState stateAfter(HostRuntime host, SensorId sensor, List<Reading> readings) {
        SensorState state = host.plugin().openState(sensor, null);
        host.plugin().observe(state, readings);
        return state;
    }

    @Test
    void oneThreadMeansOneCoreWhileManySensorsTrain() throws Exception {
        Map<String, String> config = HostFixture.config(HostFixture.dataDir());
        config.put("prognos.threads", "1");
        try (HostRuntime host = HostFixture.start(config, HostRuntime.Parts.STORE_ONLY)) {
            List<Reading> history = HostFixture.hourly(400, 0, 4);
            // Warm-up: the JIT compiles the network code on spare cores, which is the JVM, not training.
            host.plugin().train(new TrainRequest(SensorId.of("warm", "up"), history));
            host.plugin().train(new TrainRequest(SensorId.of("warm", "up2"), history));
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            ExecutorService callers = Executors.newFixedThreadPool(4);
            long cpu0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            List<Future<ModelInfo>> jobs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                SensorId s = SensorId.of("line-" + i, "current");
                jobs.add(callers.submit(() -> {
                    // Four callers at once: the plugin queues them behind its one training slot.
                    return host.plugin().train(new TrainRequest(s, history));
                }));
            }
            for (Future<ModelInfo> j : jobs) {
                j.get();
            }
            double ratio = (double) (os.getProcessCpuTime() - cpu0) / (System.nanoTime() - wall0);
            callers.shutdown();
            System.out.printf(
                    "CPU time / wall time while training 8 sensors from 4 callers, prognos.threads=1: %.2f%n", ratio);
            assertTrue(ratio < 1.35, "CPU/wall " + ratio + " exceeds one thread plus JVM overhead");
            assertTrue(ratio > 0.5, "CPU/wall " + ratio + ": training barely ran");
        }
    }
}
