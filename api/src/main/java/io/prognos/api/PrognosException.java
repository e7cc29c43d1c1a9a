package io.prognos.api;

/**
 * Root of the errors a plugin reports to its host. A host needs to tell only two kinds apart:
 * {@link BadRequestException} (the request is wrong; repeating it will not help) and
 * {@link RetryLaterException} (the same request may succeed later).
 */
public abstract class PrognosException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected PrognosException(String message, Throwable cause) {
        super(message, cause);
    }
}
