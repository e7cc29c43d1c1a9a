package io.prognos.api;

/** One invalid configuration key and what is wrong with it. */
public record ConfigProblem(String key, String message) {}
