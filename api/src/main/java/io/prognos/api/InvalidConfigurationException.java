package io.prognos.api;

import java.util.List;

/** A configuration failed validation; lists every bad key at once, not just the first. */
public class InvalidConfigurationException extends BadRequestException {
    private static final long serialVersionUID = 1L;

    private final List<ConfigProblem> problems;

    public InvalidConfigurationException(String owner, List<ConfigProblem> problems) {
        super(problems.isEmpty() ? null : problems.get(0).key(), message(owner, problems));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String message(String owner, List<ConfigProblem> problems) {
        StringBuilder sb =
                new StringBuilder("invalid configuration for ").append(owner).append(':');
        for (ConfigProblem p : problems) {
            sb.append("\n  ").append(p.key()).append(": ").append(p.message());
        }
        return sb.toString();
    }
}
