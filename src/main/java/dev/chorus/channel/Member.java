package dev.chorus.channel;

/**
 * A presence member as one connection declared it.
 *
 * @param userKey      the id as text, so {@code 1} and {@code "1"} are the same user (as in Reverb)
 * @param userIdJson   the id exactly as the client sent it, as JSON ({@code 1} or {@code "1"})
 * @param userInfoJson the {@code user_info} object as JSON, or null when absent
 */
public record Member(String userKey, String userIdJson, String userInfoJson) {
}
