package io.prognos.host.core.wire;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The refusals of one message as the reports an errors topic gets: the first {@value #EACH} each
 * on its own, the rest one report per reason, with how many and the first of them (a reason with
 * one refusal there is said as it is). A device that sent a thousand bad readings in one message
 * sent its operator a thousand reports (the log was rate-limited, the topic was not); the operator
 * needs the first few to mend it and the number of the rest. Every refused reading is still
 * counted in the adapter's meters.
 */
public final class RefusalReports {

    /** Refusals of a message said one by one before the rest are summed up by reason. */
    public static final int EACH = 10;

    /** One report: its reason, what it says, and how many readings it stands for. */
    public record Report(String reason, String message, int readings) {}

    private RefusalReports() {}

    /** The reports of a message's refusals in their order; {@code note} is appended to every message. */
    public static List<Report> of(List<BadPayloadException> refused, String note) {
        List<Report> out = new ArrayList<>();
        Map<String, Rest> rest = new LinkedHashMap<>(); // by reason, in the order they first came
        for (int i = 0; i < refused.size(); i++) {
            BadPayloadException e = refused.get(i);
            if (i < EACH) {
                out.add(new Report(e.reason(), e.getMessage() + note, 1));
            } else {
                rest.computeIfAbsent(e.reason(), r -> new Rest(e)).count++;
            }
        }
        rest.forEach((reason, r) -> out.add(
                r.count == 1
                        ? new Report(reason, r.first.getMessage() + note, 1)
                        : new Report(
                                reason,
                                r.count + " more refused as " + reason + " (after the first " + EACH
                                        + " said each); the first: " + r.first.getMessage() + note,
                                r.count)));
        return out;
    }

    /** The refusals of one reason after the first {@value #EACH}: the first of them and how many. */
    private static final class Rest {
        final BadPayloadException first;
        int count;

        Rest(BadPayloadException first) {
            this.first = first;
        }
    }
}
