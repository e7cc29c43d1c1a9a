package io.prognos.host.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.prognos.api.BadRequestException;
import io.prognos.api.ForecastingPlugin;
import io.prognos.api.RetryLaterException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Wraps a plugin so that every call runs with the plugin's class loader as the thread's context
 * class loader (native libraries such as ND4J find their backends through it) and is timed into
 * {@code prognos_plugin_calls} by operation and outcome.
 */
public final class PluginCalls implements InvocationHandler {

    /** Operations worth a timer; the rest (id, version, ...) are trivial getters. */
    private static final Set<String> TIMED = Set.of(
            "train",
            "observe",
            "openState",
            "forecast",
            "forecastBatch",
            "assessRisk",
            "schedule",
            "deleteModel",
            "start",
            "stop");

    private final ForecastingPlugin target;
    private final ClassLoader loader;
    private final MeterRegistry metrics;
    /** Timers by operation and outcome: looked up per call, built once (forecasts pass here per reading). */
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

    private PluginCalls(ForecastingPlugin target, ClassLoader loader, MeterRegistry metrics) {
        this.target = target;
        this.loader = loader;
        this.metrics = metrics;
    }

    public static ForecastingPlugin wrap(ForecastingPlugin target, ClassLoader loader, MeterRegistry metrics) {
        return (ForecastingPlugin) Proxy.newProxyInstance(
                ForecastingPlugin.class.getClassLoader(),
                new Class<?>[] {ForecastingPlugin.class},
                new PluginCalls(target, loader, metrics));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        long start = System.nanoTime();
        String outcome = "ok";
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            outcome = cause instanceof BadRequestException
                    ? "bad_request"
                    : cause instanceof RetryLaterException ? "retry_later" : "error";
            throw cause;
        } finally {
            t.setContextClassLoader(before);
            if (TIMED.contains(method.getName())) {
                String op = method.getName();
                String result = outcome;
                timers.computeIfAbsent(
                                op + "/" + result,
                                k -> Timer.builder("prognos.plugin.calls")
                                        .description("calls into the forecasting plugin")
                                        .tag("operation", op)
                                        .tag("outcome", result)
                                        .register(metrics))
                        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        }
    }
}
