package dev.chorus.api;

/** A request the API refuses: the status and a message naming the field and the limit. */
final class ApiException extends RuntimeException {
    private final int status;

    ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    /**
     * 429 for a backend rate limit, naming the limit and the setting so an operator knows what to raise.
     * @param what what was counted, plural ("events", "read requests")
     */
    static ApiException tooMany(String what, int limit, String setting) {
        return new ApiException(429, "Too many " + what + ": the limit is " + limit + " per second (" + setting + ")");
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }
}
