package dev.chorus.config;

import dev.chorus.api.SignedRequests;
import dev.chorus.api.Triggers;
import dev.chorus.app.App;
import dev.chorus.app.AppRegistry;
import dev.chorus.app.ConfigurationException;
import dev.chorus.app.RestartFile;
import dev.chorus.app.Settings;
import dev.chorus.app.SettingsLoader;
import dev.chorus.app.StaticAppRegistry;
import dev.chorus.broadcast.BackendRate;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.broadcast.ClusterInbound;
import dev.chorus.broadcast.Occupancy;
import dev.chorus.channel.Channel;
import dev.chorus.connection.FrameLog;
import dev.chorus.host.HostLink;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.relay.Relay;
import dev.chorus.relay.Resync;
import dev.chorus.relay.redis.RedisClusterState;
import dev.chorus.relay.redis.RedisRelay;
import dev.chorus.server.Admission;
import dev.chorus.server.PusherServer;
import dev.chorus.server.Upkeep;
import dev.chorus.webhook.HttpWebhookEmitter;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.servlet.ServletContext;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: reads the settings and wires the application once per deployment, every role
 * through its constructor, then hands the roles to CDI through the producer methods below. Nothing
 * reaches through this class: a resource asks for the role it needs ({@code @Inject}), and the classes
 * a container creates itself use {@link dev.chorus.cdi.Lookup}. Started eagerly, so a bad setting fails
 * the deployment (and the launcher) at once, not on the first socket. The launcher's link is used here
 * and nowhere else: restarts, drain, its Jetty figures, and the trigger entry offered to it.
 * <p>Settings come from the launcher's flags (through its {@link HostLink}) or, in any other container,
 * {@code chorus.*} system properties; then the environment ({@code CHORUS_CONFIG}, {@code REVERB_*}) and
 * the config file, in that order.
 * <p>The producers are {@code @Dependent}: each returns the one instance built here (the roles are
 * final classes, which a normal-scoped client proxy could not wrap).
 */
@ApplicationScoped
public class Chorus {
    private static final Logger LOG = LoggerFactory.getLogger(Chorus.class);

    private ConfigurationException startFailure;
    private Settings settings;
    private AppRegistry apps;
    private Relay relay;
    private ClusterState cluster;
    private HttpWebhookEmitter webhooks;
    private Metrics metrics;
    private Broadcasting broadcasting;
    private BackendRate backendRate;
    private PusherServer server;
    private Upkeep upkeep;
    private Triggers triggers;
    private SignedRequests signedRequests;
    private ScheduledExecutorService resyncs;

    private boolean built;
    private boolean hosted;

    /**
     * Builds the application as the deployment starts, so a bad setting fails it at once. The payload is
     * the {@link ServletContext} in a web application: the launcher's {@link HostLink}, if any, is there.
     */
    void started(@Observes @Initialized(ApplicationScoped.class) Object context) {
        build(context instanceof ServletContext servlet ? HostLink.in(servlet.getAttribute(HostLink.ATTRIBUTE)) : null);
    }

    private synchronized void build(HostLink host) {
        if (built) {
            if (host != null && !hosted) {
                // A role was asked for before the deployment started: it was built without the launcher's flags.
                throw new IllegalStateException("Chorus was built before its host link was seen");
            }
            return;
        }
        hosted = host != null;
        built = true;
        try {
            wire(host);
        } catch (ConfigurationException e) {
            // A container would log this wrapped in a long CDI trace: it is logged here, alone, as the first
            // thing Chorus says, and every producer fails the deployment with it (without a stack trace).
            startFailure = new ConfigurationException("Chorus cannot start: " + e.getMessage());
            LOG.error(startFailure.getMessage());
        }
    }

    /** @param host the launcher, or null in any other container (settings then come from system properties) */
    private void wire(HostLink host) {
        SettingsLoader loader = host != null ? new SettingsLoader(host.settings(), System.getenv())
                : SettingsLoader.ofSystemProperties(systemFlags(), System.getenv());
        settings = loader.load(null);
        if (settings.apps().isEmpty()) {
            throw new ConfigurationException("No app configured: set CHORUS_CONFIG to a config file, or REVERB_APP_ID, "
                    + "REVERB_APP_KEY and REVERB_APP_SECRET");
        }
        apps = new StaticAppRegistry(settings.apps());
        String nodeId = Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36);
        RedisRelay redis = null;
        RedisClusterState redisState = null;
        if (settings.scaling().enabled()) {
            redis = new RedisRelay(settings.scaling(), nodeId);
            redisState = new RedisClusterState(settings.scaling(), nodeId,
                    settings.apps().stream().map(App::id).toList(), redis::connected);
            relay = redis;
            cluster = redisState;
        } else {
            relay = new LocalRelay(nodeId);
            cluster = ClusterState.NONE;
        }
        webhooks = new HttpWebhookEmitter(settings.limits().webhookConcurrency());
        metrics = new Metrics();
        broadcasting = Broadcasting.of(relay, cluster, webhooks, metrics);
        backendRate = new BackendRate(cluster);
        server = new PusherServer(apps, broadcasting, settings.debug() ? FrameLog.printing() : FrameLog.SILENT, metrics,
                Admission.of(settings.limits()));
        upkeep = new Upkeep(server, broadcasting.broadcaster(), new RestartFile(RestartFile.beside(settings.configFile())));
        signedRequests = new SignedRequests(apps, settings);
        triggers = new Triggers(signedRequests, backendRate, broadcasting.broadcaster(), metrics);
        ClusterInbound inbound = new ClusterInbound(apps, broadcasting, cluster, server,
                () -> upkeep.restart("a restart signal from the cluster"));
        if (redis != null) {
            resyncs = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "chorus-redis-resync");
                thread.setDaemon(true);
                return thread;
            });
            // Retried until it succeeds: a node whose part is missing from Redis is invisible to the cluster.
            Resync resync = new Resync(inbound::resync, resyncs, 100, 5_000, LOG::warn);
            redis.onReconnect(resync::requestNow);
            redisState.onDirty(resync::request);
        }
        registerGauges(redis);
        if (host != null) {
            offerTo(host);
        }
        inbound.listen(relay);
        upkeep.start();
        LOG.info("Chorus ready: " + settings.apps().size() + " app(s), route prefix '" + settings.path() + "'");
    }

    /** Gauges read at scrape time, per app: this node's view (the HTTP API has the cluster's). */
    private void registerGauges(RedisRelay redis) {
        Broadcaster broadcaster = broadcasting.broadcaster();
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
                            "kind", kind.name().toLowerCase(Locale.ROOT));
                }
            }
        }
        metrics.gauge("chorus.webhooks.dropped", "Webhook events dropped (queue full or retries exhausted)",
                webhooks::dropped);
        if (redis != null) {
            metrics.gauge("chorus.relay.connected", "1 while both Redis links are up", () -> redis.connected() ? 1 : 0);
            metrics.gauge("chorus.relay.dropped", "Envelopes not relayed (outbox full, or over the outage buffer's bound or age)",
                    redis::dropped);
            metrics.gauge("chorus.relay.buffered", "Envelopes held while Redis is unreachable, relayed once it is back",
                    redis::buffered);
            metrics.gauge("chorus.relay.lag.seconds", "Publish-to-receive time of the last relayed envelope",
                    () -> redis.lastLagMillis() / 1000.0);
        }
    }

    /** What the web app offers the launcher, and what it takes from it: restarts, drain, Jetty's figures. */
    private void offerTo(HostLink host) {
        upkeep.hostedBy(host);
        host.offerTriggers(triggers.entry());
        for (String name : host.containerStats().keySet()) {
            metrics.gauge("jetty." + name, "Jetty " + name.replace('_', ' '), () -> host.containerStats().getOrDefault(name, 0));
        }
    }

    /**
     * Every producer asks this first: built (should a lookup come before the start event), and a
     * deployment whose settings failed gets the reason.
     */
    private void ready() {
        build(null);
        if (startFailure != null) {
            throw startFailure;
        }
    }

    @Produces
    Settings settings() {
        ready();
        return settings;
    }

    @Produces
    AppRegistry apps() {
        ready();
        return apps;
    }

    @Produces
    Metrics metrics() {
        ready();
        return metrics;
    }

    /** Fan-out: for publishing. */
    @Produces
    Broadcaster broadcaster() {
        ready();
        return broadcasting.broadcaster();
    }

    /** The read model: counts, users, nodes, cached events (cluster-wide when scaling). */
    @Produces
    Occupancy occupancy() {
        ready();
        return broadcasting.occupancy();
    }

    /** The HTTP API's per-app rate limits, cluster-wide when scaling. */
    @Produces
    BackendRate backendRate() {
        ready();
        return backendRate;
    }

    @Produces
    PusherServer server() {
        ready();
        return server;
    }

    @Produces
    SignedRequests signedRequests() {
        ready();
        return signedRequests;
    }

    @Produces
    Triggers triggers() {
        ready();
        return triggers;
    }

    @PreDestroy
    void stop() {
        if (!built || startFailure != null) {
            return;
        }
        upkeep.close();
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
}
