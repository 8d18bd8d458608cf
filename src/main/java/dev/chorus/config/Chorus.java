package dev.chorus.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.chorus.app.App;
import dev.chorus.app.AppRegistry;
import dev.chorus.app.ConfigurationException;
import dev.chorus.app.RestartFile;
import dev.chorus.app.Settings;
import dev.chorus.app.SettingsLoader;
import dev.chorus.host.HostLink;
import dev.chorus.app.StaticAppRegistry;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.broadcast.Occupancy;
import dev.chorus.connection.FrameLog;
import dev.chorus.protocol.PusherError;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.LocalRelay;
import dev.chorus.relay.Relay;
import dev.chorus.relay.redis.RedisClusterState;
import dev.chorus.relay.redis.RedisRelay;
import dev.chorus.webhook.HttpWebhookEmitter;
import dev.chorus.metrics.Metrics;
import dev.chorus.channel.Channel;
import dev.chorus.protocol.ChannelKind;
import java.security.SecureRandom;
import dev.chorus.server.PusherServer;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The composition root: reads the settings and wires the application once per deployment. Started
 * eagerly, so a bad setting fails the deployment (and the launcher) at once, not on the first socket.
 * Settings come from {@code chorus.*} system properties (the launcher's flags), the environment
 * ({@code CHORUS_CONFIG}, {@code REVERB_*}) and the config file, in that order.
 */
@ApplicationScoped
public class Chorus {
    private static final Logger LOG = LoggerFactory.getLogger(Chorus.class);

    private Settings settings;
    private AppRegistry apps;
    private Broadcasting broadcasting;
    private Broadcaster broadcaster;
    private PusherServer server;
    private Relay relay;
    private ClusterState cluster;
    private dev.chorus.broadcast.BackendRate backendRate;
    private HttpWebhookEmitter webhooks;
    private Metrics metrics;
    private ScheduledExecutorService timer;
    private ScheduledExecutorService resyncs;
    private long ticks;
    private RestartFile restartFile;
    private final java.util.concurrent.atomic.AtomicBoolean restarting = new java.util.concurrent.atomic.AtomicBoolean();

    private ConfigurationException startFailure;
    private volatile HostLink host;

    @PostConstruct
    void start() {
        try {
            build();
        } catch (ConfigurationException e) {
            // A container would log this wrapped in a long CDI trace: it is logged here, alone, as the first
            // thing Chorus says, and EndpointRegistrar fails the deployment with it (without a stack trace).
            startFailure = new ConfigurationException("Chorus cannot start: " + e.getMessage());
            LOG.error(startFailure.getMessage());
        }
    }

    /** Why the settings could not be used, or null: the deployment must then fail with this message. */
    public ConfigurationException startFailure() {
        return startFailure;
    }

    private void build() {
        settings = SettingsLoader.ofSystemProperties(systemFlags(), System.getenv()).load(null);
        if (settings.apps().isEmpty()) {
            throw new ConfigurationException("No app configured: set CHORUS_CONFIG to a config file, or REVERB_APP_ID, "
                    + "REVERB_APP_KEY and REVERB_APP_SECRET");
        }
        apps = new StaticAppRegistry(settings.apps());
        String nodeId = Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36);
        if (settings.scaling().enabled()) {
            RedisRelay redis = new RedisRelay(settings.scaling(), nodeId);
            RedisClusterState state = new RedisClusterState(settings.scaling(), nodeId,
                    settings.apps().stream().map(App::id).toList(), redis::connected);
            relay = redis;
            cluster = state;
            resyncs = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "chorus-redis-resync");
                thread.setDaemon(true);
                return thread;
            });
            // Retried until it succeeds: a node whose part is missing from Redis is invisible to the cluster.
            dev.chorus.relay.Resync resync = new dev.chorus.relay.Resync(this::resync, resyncs, 100, 5_000, LOG::warn);
            redis.onReconnect(resync::requestNow);
            state.onDirty(resync::request);
        } else {
            relay = new LocalRelay(nodeId);
            cluster = ClusterState.NONE;
        }
        webhooks = new HttpWebhookEmitter(settings.limits().webhookConcurrency());
        metrics = new Metrics();
        broadcasting = Broadcasting.of(relay, cluster, webhooks, metrics);
        broadcaster = broadcasting.broadcaster();
        backendRate = new dev.chorus.broadcast.BackendRate(cluster);
        server = new PusherServer(apps, broadcasting, settings.debug() ? FrameLog.printing() : FrameLog.SILENT, metrics,
                dev.chorus.server.Admission.of(settings.limits()));
        registerGauges();
        cluster.onMemberGone(member -> {
            App app = apps.byId(member.app());
            if (app == null) {
                return;
            }
            if (ClusterState.SIGNED_IN.equals(member.channel())) {
                // A dead node held the user's last signed-in connection: offline, announced once (one node reaps).
                server.userStatusFromCluster(app, member.userKey(), false);
            } else {
                broadcasting.membership().memberGone(app, member.channel(), member.memberJson());
            }
        });
        cluster.onSubscriptionsGone((appId, channel) -> {
            App app = apps.byId(appId);
            if (app != null) {
                broadcasting.membership().countGone(app, channel);
            }
        });
        relay.start(this::relayed);
        timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "chorus-liveness");
            thread.setDaemon(true);
            return thread;
        });
        restartFile = new RestartFile(RestartFile.beside(settings.configFile()));
        timer.scheduleWithFixedDelay(this::checkLiveness, 1, 1, TimeUnit.SECONDS);
        LOG.info("Chorus ready: " + settings.apps().size() + " app(s), route prefix '"
                + settings.path() + "'");
    }

    /**
     * The process that embeds us (the launcher), or null in any other container: its Jetty figures go
     * to /metrics, and a restart becomes its decision.
     */
    public void hostedBy(HostLink host) {
        this.host = host;
        if (host != null) {
            for (String name : host.containerStats().keySet()) {
                metrics.gauge("jetty." + name, "Jetty " + name.replace('_', ' '),
                        () -> host.containerStats().getOrDefault(name, 0));
            }
        }
    }

    /** Gauges read at scrape time, per app: this node's view (the HTTP API has the cluster's). */
    private void registerGauges() {
        for (App app : settings.apps()) {
            metrics.gauge("chorus.connections", "Open WebSocket connections on this node",
                    () -> server.connections(app).size(), "app", app.id());
            metrics.gauge("chorus.subscriptions", "Channel subscriptions on this node", () -> broadcaster.channels(app)
                    .channels().stream().filter(c -> c.kind() != ChannelKind.SERVER_TO_USER)
                    .mapToInt(Channel::subscriptionCount).sum(), "app", app.id());
            metrics.gauge("chorus.presence.members", "Distinct users in presence channels on this node",
                    () -> broadcaster.channels(app).channels().stream().filter(c -> c.kind().presence())
                            .mapToInt(Channel::userCount).sum(), "app", app.id());
            for (ChannelKind kind : ChannelKind.values()) {
                if (kind != ChannelKind.SERVER_TO_USER) {
                    metrics.gauge("chorus.channels", "Occupied channels on this node, by kind", () -> broadcaster.channels(app)
                            .channels().stream().filter(c -> c.kind() == kind).count(), "app", app.id(),
                            "kind", kind.name().toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        metrics.gauge("chorus.webhooks.dropped", "Webhook events dropped (queue full or retries exhausted)",
                webhooks::dropped);
        if (relay instanceof RedisRelay redis) {
            metrics.gauge("chorus.relay.connected", "1 while both Redis links are up", () -> redis.connected() ? 1 : 0);
            metrics.gauge("chorus.relay.dropped", "Envelopes not relayed (outbox full, or over the outage buffer's bound or age)",
                    redis::dropped);
            metrics.gauge("chorus.relay.buffered", "Envelopes held while Redis is unreachable, relayed once it is back",
                    redis::buffered);
            metrics.gauge("chorus.relay.lag.seconds", "Publish-to-receive time of the last relayed envelope",
                    () -> redis.lastLagMillis() / 1000.0);
        }
    }

    public Metrics metrics() {
        return metrics;
    }

    /** An envelope from another node, on the relay's thread. */
    private void relayed(Envelope envelope) {
        if (envelope.type() == Envelope.Type.RESTART) {
            restart("a restart signal from the cluster");
            return;
        }
        App app = apps.byId(envelope.app());
        if (app == null) {
            return;
        }
        switch (envelope.type()) {
            case EVENT -> broadcaster.receive(app, envelope.channel(), envelope.frame(), envelope.except());
            case INTERNAL -> broadcaster.receiveInternal(app, envelope.channel(), envelope.frame(), envelope.except());
            case TERMINATE -> server.terminateUser(app, envelope.user());
            case COUNT -> broadcasting.membership().countChanged(app, envelope.channel());
            case ONLINE -> server.userStatusRelayed(app, envelope.user(), true);
            case OFFLINE -> server.userStatusRelayed(app, envelope.user(), false);
            default -> { }
        }
    }

    /**
     * The link to the other nodes is back, or this node's part in Redis may be wrong: re-report this node,
     * announce members that were reaped meanwhile. Throws when Redis did not take it all (retried).
     */
    private void resync() {
        ClusterState.LocalPart part = broadcasting.occupancy().localPart(server.connectionCounts());
        // Signed-in users are re-reported with the presence members, or resync would take them for stale.
        server.signedInUsers().forEach((appId, users) -> {
            Map<String, String> signedIn = new java.util.HashMap<>();
            users.forEach(user -> signedIn.put(user, "{}"));
            part.members().computeIfAbsent(appId, id -> new java.util.HashMap<>()).put(ClusterState.SIGNED_IN, signedIn);
        });
        for (ClusterState.Member member : cluster.resync(part)) {
            App app = apps.byId(member.app());
            if (app == null) {
                continue;
            }
            if (ClusterState.SIGNED_IN.equals(member.channel())) {
                server.userStatusFromCluster(app, member.userKey(), true);
            } else {
                broadcasting.membership().memberBack(app, member.channel(), member.memberJson());
            }
        }
    }

    /**
     * {@code chorus restart}: tell every client to reconnect (4200) and close it; under the launcher,
     * also exit (status 0) so the supervisor starts a fresh process. In a container the application
     * stays deployed: restarting it is the container's business.
     */
    private void restart(String why) {
        if (!restarting.compareAndSet(false, true)) {
            return;
        }
        LOG.warn("Restart requested by " + why + ": telling clients to reconnect");
        server.drain(PusherError.SERVER_RESTARTING, 2_000);
        HostLink embedding = host;
        if (embedding != null) {
            // The launcher stops the process (exit 0) for its supervisor to start it again.
            embedding.restart();
        } else {
            restarting.set(false);
        }
    }

    /** Closes every connection of the user on every node. */
    public void terminateUser(App app, String userId) {
        server.terminateUser(app, userId);
        relay.publish(Envelope.terminate(relay.nodeId(), app.id(), userId));
    }

    public Relay relay() {
        return relay;
    }

    /** This node's id in the cluster (also when alone). */
    public String nodeId() {
        return relay.nodeId();
    }

    void eager(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        settings();
    }

    private void checkLiveness() {
        try {
            long now = System.nanoTime();
            server.checkLiveness(now);
            if (++ticks % 60 == 0) {
                broadcaster.expireCaches(now);
            }
            if (ticks % 2 == 0 && restartFile.requested()) {
                restart("the restart file " + restartFile.path());
            }
        } catch (RuntimeException e) {
            LOG.error("Liveness check failed", e);
        }
    }

    @PreDestroy
    void stop() {
        if (startFailure != null) {
            return;
        }
        LOG.info("Chorus stopping: telling " + server.connectionCount() + " connection(s) to reconnect");
        timer.shutdownNow();
        server.drain(PusherError.SERVER_RESTARTING, 1_000);
        // The drained subscriptions' counts: the other nodes must hear of them while the relay is up.
        broadcasting.membership().flushCounts();
        if (resyncs != null) {
            // Before leaving the cluster: a re-report after it would put this node's part back.
            resyncs.shutdownNow();
        }
        if (cluster instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("Leaving the cluster failed: " + e.getMessage());
            }
        }
        relay.close();
        webhooks.close();
        broadcasting.close();
    }

    static Map<String, String> systemFlags() {
        Map<String, String> flags = new HashMap<>();
        for (String name : new String[] {SettingsLoader.FLAG_HOST, SettingsLoader.FLAG_PORT, SettingsLoader.FLAG_PATH,
                SettingsLoader.FLAG_HOSTNAME, SettingsLoader.FLAG_DEBUG, SettingsLoader.FLAG_CONFIG, SettingsLoader.FLAG_DEMO}) {
            String value = System.getProperty("chorus." + name);
            if (value != null) {
                flags.put(name, value);
            }
        }
        return flags;
    }

    public Settings settings() {
        return settings;
    }

    public AppRegistry apps() {
        return apps;
    }

    /** The HTTP API's per-app rate limits, cluster-wide when scaling. */
    public dev.chorus.broadcast.BackendRate backendRate() {
        return backendRate;
    }

    /** Fan-out: for publishing. */
    public Broadcaster broadcaster() {
        return broadcaster;
    }

    /** The read model: counts, users, nodes, cached events (cluster-wide when scaling). */
    public Occupancy occupancy() {
        return broadcasting.occupancy();
    }

    public PusherServer server() {
        return server;
    }
}
