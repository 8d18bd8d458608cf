package dev.chorus.launcher;

/** Help texts. */
final class Usage {
    static final String MAIN = """
            Chorus: a Pusher Channels protocol server (pusher-js, Laravel Echo, Pusher SDKs).

            Usage: java -jar chorus.jar <command> [options]

            Commands:
              start   Run the server (generates development credentials in ./chorus.yaml when none exist;
                      their secret is printed that once, later starts say where it is)
              init    Write a config file with fresh credentials (like reverb:install)
              restart Make every running node tell its clients to reconnect (4200) and exit cleanly
              health  Exit 0 when the local server answers /up (for container health checks)
              bench   Measure fan-out: deliveries/s, latency percentiles, CPU and memory per connection

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
              --demo               Serve a Laravel Echo demo page at /demo (signs every channel: dev only)
              --tls-cert FILE      PEM certificate chain for wss/https (CHORUS_TLS_CERT, server.tls.cert)
              --tls-key FILE       Its PEM private key (CHORUS_TLS_KEY, server.tls.key)
              --tls-keystore FILE  Or a PKCS#12 keystore (CHORUS_TLS_KEYSTORE, server.tls.keystore)
              --tls-keystore-password PW   Its password (CHORUS_TLS_KEYSTORE_PASSWORD)
              --help               This text

            With --hostname and no TLS option, a Herd or Valet certificate for that host is used when
            one exists (~/.config/valet/Certificates/HOST.crt and .key, or Herd's on macOS).

            Per-app environment (first app): REVERB_APP_ID, REVERB_APP_KEY, REVERB_APP_SECRET,
            REVERB_APP_PING_INTERVAL, REVERB_APP_ACTIVITY_TIMEOUT, REVERB_APP_MAX_CONNECTIONS,
            REVERB_APP_MAX_MESSAGE_SIZE, REVERB_APP_ACCEPT_CLIENT_EVENTS_FROM, REVERB_APP_SUBSCRIPTION_COUNT;
            server: REVERB_MAX_REQUEST_SIZE.
            """;

    static final String RESTART = """
            Usage: java -jar chorus.jar restart [options]

            Like reverb:restart: every node started from this config file's directory (or the working
            directory) notices within two seconds, and with scaling enabled every node listening on the
            same Redis channel hears it at once. Each one sends pusher:error 4200 to its clients, closes
            them with 4200 and exits with status 0 for its supervisor to start it again.

            Options:
              --config FILE        The config file the nodes were started with (CHORUS_CONFIG)
              --help               This text
            """;

    static final String HEALTH = """
            Usage: java -jar chorus.jar health [start's options]

            Asks the server that 'start' with the same options, environment and config file would run
            for /up, on this machine (127.0.0.1 when it listens on every address), over TLS when it
            has TLS settings (the certificate is not checked: its names are the public host's).
            Exit status 0 when it answers 200; otherwise 1 and one line saying why.
            """;

    static final String INIT = """
            Usage: java -jar chorus.jar init [options]

            Writes a config file (readable by its owner only) with a new app id, key and secret, and
            prints them: the only time the secret is printed.

            Options:
              --config FILE        Where to write it (default ./chorus.yaml)
              --force              Overwrite an existing file
              --help               This text
            """;

    static final String BENCH = """
            Usage: java -jar chorus.jar bench [options]

            N subscribers on one private channel, one publisher sending timestamped client events at a
            fixed rate. Without --port, starts its own Chorus server (fixed heap) and measures its CPU,
            RSS and heap per connection through /proc and jcmd.

            Options:
              --scenario NAME      fanout (client events to N subscribers, default), connect (open and
                                   subscribe N connections: handshakes/s, heap and RSS per idle
                                   connection), idle (connect, hold them --duration s, measure again),
                                   soak (fan-out with reconnects for --duration s, memory every
                                   --sample s) or trigger (signed HTTP triggers as fast as
                                   --connections keep-alive clients go)
              --subscribers N      Subscribers to hold (default 1000)
              --rate N             Events per second (default 100)
              --duration S         Seconds of publishing (default 10)
              --payload BYTES      Approximate event size (default 100)
              --server-heap SIZE   Heap of the server the bench starts (default 1g)
              --host, --port       Measure a server that is already running (any Pusher server)
              --path PREFIX        Its route prefix
              --key, --secret      Its app credentials (default bench-key / bench-secret); client events
                                   must be allowed from members, without a rate limit
              --channel NAME       Private channel to use (default private-bench)
              --pid PID            That server's process id, to read its CPU and memory
              --publish-port PORT  Publish on another node of the same cluster (relayed delivery)
              --app-id ID          Its app id, for the trigger scenario (default 1)
              --connections N      HTTP clients of the trigger scenario (default 4)
              --warmup S           Seconds of load before measuring, for the JIT (default 5)
              --client-threads N   Selector threads holding the subscribers (default 1)
              --concurrency N      Handshakes in flight while connecting (default 200)
              --source-addresses A N loopback addresses (127.0.0.1..N) or a comma list to connect from,
                                   past one address's ~28k ephemeral ports
              --subscribe no       Connect scenario: count handshakes only (no channel subscription)
              --warmup-connections N  Open and close N connections before measuring (JIT-warm server and bench)
              --churn N            Soak: subscribers closed and replaced every second (default 1 %)
              --sample S           Soak: seconds between memory samples (default 60)
            """;

    private Usage() {
    }
}
