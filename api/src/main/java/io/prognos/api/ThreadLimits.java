package io.prognos.api;

/**
 * How much CPU the host lets a plugin use. {@code trainingJobs} bounds concurrent training;
 * {@code nativeThreadsPerJob} bounds the threads a native math library may start per job.
 */
public record ThreadLimits(int trainingJobs, int nativeThreadsPerJob) {

    public ThreadLimits {
        if (trainingJobs < 1) {
            throw new BadRequestException(
                    "prognos.threads", "at least one training job must be allowed, got " + trainingJobs);
        }
        if (nativeThreadsPerJob < 1) {
            throw new BadRequestException(
                    "prognos.threads", "at least one native thread per job is needed, got " + nativeThreadsPerJob);
        }
    }

    /** Half the cores, at least one; one native thread per job (more threads were slower here). */
    public static ThreadLimits defaults() {
        return new ThreadLimits(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 1);
    }
}
