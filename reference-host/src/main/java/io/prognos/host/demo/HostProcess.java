package io.prognos.host.demo;

import io.prognos.host.cli.PrognosHost;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A host in a process of its own ({@code serve} with the given flags), as an operating system runs
 * it: for the benches and tests that need several hosts, or a SIGKILL. Same class path as this JVM.
 */
public final class HostProcess {

    private final Process process;
    private final int port;

    private HostProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts {@code serve} with {@code flags} and waits (at most three minutes) for the line that
     * names its REST port. {@code stderr}, where the log goes, may be null to discard it.
     */
    public static HostProcess serve(String heap, Path stderr, List<String> flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap,
                "-cp",
                System.getProperty("java.class.path"),
                PrognosHost.class.getName(),
                "serve"));
        cmd.addAll(flags);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(
                stderr == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stderr.toFile()));
        Process p = pb.start();
        try {
            return new HostProcess(p, servingPort(p));
        } catch (Exception | Error e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private static int servingPort(Process p) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> {
                    try {
                        for (String line; (line = out.readLine()) != null; ) {
                            if (line.startsWith("Prognos serving")) {
                                return Integer.parseInt(line.replaceAll(".*http://[^:]+:(\\d+)/.*", "$1"));
                            }
                        }
                        throw new IllegalStateException("the host exited before serving");
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .get(3, TimeUnit.MINUTES);
    }

    public Process process() {
        return process;
    }

    /** The REST port it serves on. */
    public int port() {
        return port;
    }
}
