package io.prognos.host.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's files, served from the jar: its own pages under {@code /dashboard/}, the chart
 * library and the API browser from their webjars. Nothing else on the class path is reachable: a
 * path maps to one of three fixed roots and may not climb out of it.
 */
public final class StaticFiles {

    /** A file to send. */
    public record File(byte[] bytes, String contentType) {}

    static final String UPLOT = "/webjars/uplot/1.6.30/dist/";
    static final String SWAGGER = "/webjars/swagger-ui/5.34.1/";

    private static final Map<String, String> PAGES =
            Map.of("/", "/dashboard/index.html", "/docs", "/dashboard/docs.html", "/docs/", "/dashboard/docs.html");

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "png", "image/png",
            "svg", "image/svg+xml",
            "json", "application/json");

    private StaticFiles() {}

    /** True for the paths this class answers (whether or not the file exists). */
    public static boolean serves(String path) {
        return PAGES.containsKey(path)
                || path.startsWith("/dashboard/")
                || path.startsWith(UPLOT)
                || path.startsWith(SWAGGER);
    }

    /** The file at {@code path}, or empty when there is none (404). */
    public static Optional<File> find(String path) throws IOException {
        String resource = PAGES.get(path);
        if (resource == null) {
            if (path.contains("..") || path.contains("//") || path.endsWith("/")) {
                return Optional.empty();
            }
            resource = path.startsWith("/dashboard/") ? path : "/META-INF/resources" + path;
        }
        String ext = resource.substring(resource.lastIndexOf('.') + 1);
        String type = TYPES.get(ext);
        if (type == null) {
            return Optional.empty();
        }
        try (InputStream in = StaticFiles.class.getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(new File(in.readAllBytes(), type));
        }
    }
}
