package io.prognos.api;

/**
 * The request is wrong: bad parameters, invalid values, an unknown sensor, too little history.
 * {@link #field()} names the request field at fault where there is one, so a REST host can
 * answer 400 with it.
 */
public class BadRequestException extends PrognosException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public BadRequestException(String field, String message) {
        this(field, message, null);
    }

    public BadRequestException(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /** The request field at fault, or null when the request as a whole is wrong. */
    public String field() {
        return field;
    }
}
