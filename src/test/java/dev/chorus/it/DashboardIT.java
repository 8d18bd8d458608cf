package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboard rendered by headless Chromium (Debian's; scripts/ensure-chromium.sh installs it): its
 * figures move as clients connect and talk, and a screenshot lands in target/dashboard.png.
 */
class DashboardIT {
    private static String chromium() throws Exception {
        Process process = new ProcessBuilder("bash", "scripts/ensure-chromium.sh").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(process.waitFor(900, TimeUnit.SECONDS) && process.exitValue() == 0, "ensure-chromium.sh: " + out);
        return out;
    }

    /** Loads the page, lets it run a few seconds of page time, and returns the DOM (or writes a screenshot). */
    private static String render(String chromium, String url, Path screenshot) throws Exception {
        Path profile = Files.createTempDirectory("chorus-chromium-");
        List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--window-size=1280,900", "--virtual-time-budget=4000"));
        command.add(screenshot == null ? "--dump-dom" : "--screenshot=" + screenshot.toAbsolutePath());
        command.add(url);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "chromium finished");
        return dom;
    }

    private static String figure(String dom, String id) {
        Matcher matcher = Pattern.compile("id=\"" + id + "\">([^<]*)<").matcher(dom);
        return matcher.find() ? matcher.group(1) : "(missing " + id + ")";
    }

    @Test
    void figuresMoveAsClientsConnectAndTalk() throws Exception {
        String chromium = chromium();
        try (ChorusProcess chorus = ChorusProcess.start("server:\n  metrics_token: dash\napps:\n  - id: \"d\"\n    key: dk\n"
                + "    secret: ds\n")) {
            String page = "http://127.0.0.1:" + chorus.port + "/dashboard?token=dash";
            assertTrue(render(chromium, "http://127.0.0.1:" + chorus.port + "/dashboard", null).contains("server.metrics_token"),
                    "the page is behind the token");
            String idle = render(chromium, page, null);
            assertTrue(figure(idle, "status").startsWith("live"), idle);
            assertTrue(figure(idle, "total-connections").equals("0"), figure(idle, "total-connections"));

            List<Wire.Client> clients = new ArrayList<>();
            AtomicBoolean publishing = new AtomicBoolean(true);
            Thread publisher = new Thread(() -> {
                String body = "{\"name\":\"tick\",\"channel\":\"dash-news\",\"data\":\"1\"}";
                while (publishing.get()) {
                    try {
                        Http.send(chorus.port, "POST", "/apps/d/events", "/apps/d/events", body, "dk", "ds",
                                System.currentTimeMillis() / 1000, Map.of(), body);
                        Thread.sleep(5);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            try {
                for (int i = 0; i < 3; i++) {
                    Wire.Client client = Wire.open(chorus.port, "dk");
                    client.send(Wire.subscribe("dash-news"));
                    client.next();
                    clients.add(client);
                }
                publisher.start();
                String busy = render(chromium, page, null);
                assertTrue(figure(busy, "total-connections").equals("3"), busy);
                assertTrue(busy.contains("<td class=\"connections\">3</td>"), "per-app row");
                assertTrue(Double.parseDouble(figure(busy, "rate-out")) > 0, "messages out per second: " + figure(busy, "rate-out"));
                Path screenshot = Path.of("target", "dashboard.png");
                render(chromium, page, screenshot);
                assertTrue(Files.size(screenshot) > 10_000, "screenshot taken");
            } finally {
                publishing.set(false);
                publisher.join(5_000);
                clients.forEach(Wire.Client::close);
            }
        }
    }

    @Test
    void theTokenLeavesTheAddressBarAfterTheFirstLoadAndTheDataKeepsRefreshing() throws Exception {
        try (ChorusProcess chorus = ChorusProcess.start("server:\n  metrics_token: dash-token\napps:\n  - id: \"d\"\n    key: dk\n"
                + "    secret: ds\n");
             HeadlessChromium browser = HeadlessChromium.start()) {
            String status = "document.getElementById('status').textContent";
            browser.navigate("http://127.0.0.1:" + chorus.port + "/dashboard?token=dash-token");
            assertTrue(browser.waitFor(status + ".startsWith('live')", 30), browser.evaluate(status));
            assertEquals("http://127.0.0.1:" + chorus.port + "/dashboard", browser.evaluate("location.href"));
            assertEquals("", browser.evaluate("location.search"));
            assertEquals("", browser.evaluate("document.cookie"), "the session cookie is HttpOnly");
            assertEquals("0", browser.evaluate("document.getElementById('total-connections').textContent"));
            // Still live without the token in the URL: a client connects and the figure follows.
            try (Wire.Client client = Wire.open(chorus.port, "dk")) {
                assertTrue(browser.waitFor("document.getElementById('total-connections').textContent === '1'", 15),
                        browser.evaluate(status));
                // A reload (the URL has no token now) is served by the cookie.
                // A mark on the old page tells it from the reloaded one, which starts without it.
                browser.evaluate("window.beforeReload = true");
                browser.evaluate("location.reload()");
                assertTrue(browser.waitFor("window.beforeReload === undefined && " + status
                        + ".startsWith('live') && document.getElementById('total-connections').textContent === '1'", 30),
                        browser.evaluate(status));
                assertFalse(browser.evaluate("location.href").contains("token"));
            }
        }
    }
}
