package io.prognos.host.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What every host command has: the configuration options ({@code --key=value}, file, environment) and its own spec. */
abstract class HostCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    /** Refuses a numeric option below one, naming it. */
    void atLeastOne(String option, int value) {
        atLeast(option, value, 1);
    }

    void atLeast(String option, int value, int least) {
        if (value < least) {
            throw new ParameterException(spec.commandLine(), option + " must be at least " + least + ", got " + value);
        }
    }

    /** Where the command prints its report (the command line's writer, so tests can read it). */
    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
