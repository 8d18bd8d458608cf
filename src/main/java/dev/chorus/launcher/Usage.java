package dev.chorus.launcher;

/** Help texts. */
final class Usage {
    static final String MAIN = """
            Chorus: a Pusher Channels protocol server (pusher-js, Laravel Echo, Pusher SDKs).

            Usage: java -jar chorus.jar <command> [options]

            Commands:
              start   Run the server (generates development credentials in ./chorus.yaml when none exist)
              init    Write a config file with fresh credentials (like reverb:install)

            Run 'java -jar chorus.jar <command> --help' for a command's options.
            """;

    static final String START = """
            Usage: java -jar chorus.jar start [options]

            Options (flags > environment > config file > defaults):
              --host HOST          Interface to bind (REVERB_SERVER_HOST, default 0.0.0.0)
              --port PORT          Port to listen on (REVERB_SERVER_PORT, default 8080)
              --path PREFIX        Route prefix in front of /app and /apps (REVERB_SERVER_PATH, default none)
              --hostname NAME      Public host name clients use (REVERB_HOST)
              --config FILE        YAML config file (CHORUS_CONFIG, default ./chorus.yaml)
              --debug              Log every connection and every inbound/outbound frame (truncated)
              --help               This text

            Per-app environment (first app): REVERB_APP_ID, REVERB_APP_KEY, REVERB_APP_SECRET,
            REVERB_APP_PING_INTERVAL, REVERB_APP_ACTIVITY_TIMEOUT, REVERB_APP_MAX_CONNECTIONS,
            REVERB_APP_MAX_MESSAGE_SIZE, REVERB_APP_ACCEPT_CLIENT_EVENTS_FROM; server: REVERB_MAX_REQUEST_SIZE.
            """;

    static final String INIT = """
            Usage: java -jar chorus.jar init [options]

            Writes a config file with a new app id, key and secret and prints them.

            Options:
              --config FILE        Where to write it (default ./chorus.yaml)
              --force              Overwrite an existing file
              --help               This text
            """;

    private Usage() {
    }
}
