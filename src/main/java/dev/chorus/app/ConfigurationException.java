package dev.chorus.app;

/**
 * A setting that cannot be used. The message is one line naming the setting, the bad value and
 * what is allowed; the launcher prints it and exits, a container fails the deployment with it.
 */
public final class ConfigurationException extends RuntimeException {
    public ConfigurationException(String message) {
        super(message, null, false, false);
    }

    public static ConfigurationException bad(String setting, Object value, String allowed) {
        return new ConfigurationException("Invalid setting " + setting + "=" + (value == null ? "(empty)" : "'" + value + "'")
                + ": " + allowed);
    }
}
