package io.prognos.host.cli;

import io.prognos.host.core.wire.Json;
import java.io.PrintWriter;
import java.util.Map;

/** How the bench commands print their figures: a name-value table, or JSON with {@code --json}. */
final class Figures {

    private Figures() {}

    static void print(PrintWriter out, Map<String, Object> figures, boolean json) {
        if (json) {
            out.println(Json.pretty(figures));
        } else {
            figures.forEach((k, v) -> out.printf("%-28s %s%n", k, v));
        }
        out.flush();
    }
}
