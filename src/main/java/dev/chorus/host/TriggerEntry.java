package dev.chorus.host;

/**
 * The web app's whole check-and-publish of a plain HTTP trigger ({@code POST /apps/{id}/events}),
 * for a host that serves triggers in front of the servlet container.
 * <p>Threading: called on any thread, on a single node on Jetty's selector thread: it must not block
 * (publishing without Redis never does). Thread-safe.
 */
@FunctionalInterface
public interface TriggerEntry {
    /**
     * @param path the request path without the route prefix ({@code /apps/1/events})
     * @param rawQuery the query string as received, undecoded (the signature covers it), or null
     * @param body the whole body
     * @return true when the trigger was valid and published: the host answers 200 {@code {}}; false
     *     when the web app must see the request itself (a refusal, {@code info}, anything unusual),
     *     which the host then hands on unchanged, marked with {@link HostLink#TRIED_ATTRIBUTE}
     */
    boolean publish(String path, String rawQuery, byte[] body);
}
