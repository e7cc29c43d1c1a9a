package io.prognos.host.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.prognos.api.Reading;
import io.prognos.api.SensorId;
import io.prognos.host.HostFixture;
import io.prognos.host.core.wire.Json;
import io.prognos.host.demo.Demo;
import io.prognos.host.runtime.HostRuntime;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's Chromium, headless) against a host that ran the demo:
 * what a plant engineer sees must be what the REST API says, drawn, live and usable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the views' screenshots before the test's own readings
class DashboardBrowserTest {

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File DRIVER = new File("/usr/bin/chromedriver");
    private static final SensorId PUMP = SensorId.of("pump-2", "bearing_temperature");
    private static final SensorId FAN = SensorId.of("fan-3", "motor_current");

    private HostRuntime host;
    private WebDriver browser;
    private String base;

    @BeforeAll
    void start() throws Exception {
        Assumptions.assumeTrue(
                CHROMIUM.canExecute() && DRIVER.canExecute(),
                "no browser: install Debian's chromium and chromium-driver (.ci/run does) to run the dashboard test");
        Map<String, String> config = new HashMap<>(HostFixture.config(HostFixture.dataDir()));
        config.putAll(Demo.demoDefaults());
        // The test's readings lie a few hours ahead so that their intervals complete at once.
        config.put("mqtt.max-future-skew", "12h");
        host = HostFixture.start(config, HostRuntime.Parts.ALL);
        new Demo(host, new PrintWriter(new StringWriter()))
                .run(Demo.sensors(Demo.currentHour()), host.broker().url());
        base = "http://127.0.0.1:" + host.rest().port();
        browser = browser();
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (host != null) {
            host.close();
        }
    }

    static WebDriver browser() {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        // The flags that keep Chromium off the network this machine does not have (env notes).
        o.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,800");
        ChromeDriverService service =
                new ChromeDriverService.Builder().usingDriverExecutable(DRIVER).build();
        return new ChromeDriver(service, o);
    }

    @Test
    @Order(1)
    void theFleetTableListsEachSensorWithTheLevelTheApiReports() throws Exception {
        browser.get(base + "/");
        // Other tests move levels (an alert, new limits): the page follows within its 2 s poll.
        waitFor(() -> shownLevels().equals(apiLevels()));
        Map<String, String> expected = apiLevels();
        assertEquals(3, expected.size(), "the demo's three sensors: " + expected);
        assertEquals(expected, shownLevels());
        JsonNode fleet = api("GET", "/api/v1/lstm/fleet", null);
        // Colour is paired with the level's name, and the schedule lists the sensor at risk first.
        assertTrue(browser.findElement(By.id("schedule")).getText().contains(firstInSchedule(fleet)));

        // Sorting is reachable from the keyboard: Enter on the focused header sorts by sensor name.
        WebElement byName = browser.findElement(By.cssSelector("th button[data-sort=sensor]"));
        byName.sendKeys(Keys.ENTER);
        waitFor(() -> "descending".equals(byName.findElement(By.xpath("..")).getAttribute("aria-sort"))
                || "ascending".equals(byName.findElement(By.xpath("..")).getAttribute("aria-sort")));
        List<String> order = rowOrder();
        assertEquals(
                List.of("fan-3/motor_current", "office-hvac/ambient_temperature", "pump-2/bearing_temperature"), order);
        screenshot("dashboard-fleet.png");

        // A tablet's width: the page itself does not scroll sideways (the table may, inside its box).
        browser.manage().window().setSize(new Dimension(768, 1024));
        Thread.sleep(300);
        long overflow = (Long) js("return document.documentElement.scrollWidth - window.innerWidth;");
        browser.manage().window().setSize(new Dimension(1280, 800));
        assertTrue(overflow <= 0, "page wider than a tablet by " + overflow + " px");
    }

    @Test
    @Order(2)
    void thePumpViewDrawsItsForecastBandAndLimitLine() throws Exception {
        openSensor(PUMP);
        waitFor(() ->
                Boolean.TRUE.equals(js("return !!(window.prognos.chart && window.prognos.chart.data[0].length);")));
        Thread.sleep(500); // one frame for the canvas
        List<?> labels = (List<?>) js("return window.prognos.chart.series.map(s => s.label);");
        assertTrue(
                labels.containsAll(List.of("reading", "forecast", "lower", "upper", "limit high")), labels.toString());
        // The pixels themselves: the band's fill and the high limit's line are on the canvas.
        long band = pixels(190, 216, 247);
        long limit = pixels(200, 30, 30);
        assertTrue(band > 50, "band pixels: " + band);
        assertTrue(limit > 200, "limit line pixels: " + limit);
        long scores = (Long) js("return window.prognos.scoreChart.data[0].length;");
        assertTrue(scores > 0, "anomaly scores under the chart");
        screenshot("dashboard-sensor.png");
    }

    @Test
    @Order(3)
    void anAlertRaisedDuringTheVisitAppearsWithoutAReload() throws Exception {
        browser.get(base + "/");
        waitFor(() ->
                browser.findElements(By.cssSelector("#fleet-table tbody tr")).size() == 3);
        js("window.sameVisit = 42;");
        int before = alertsFor(FAN);
        // The fan's current runs far above its high limit (16 A) for four hours.
        MqttClient device =
                new MqttClient(host.broker().url(), "test-fan-" + System.nanoTime(), new MemoryPersistence());
        device.connect(host.broker().asDevice(new MqttConnectionOptions()));
        Instant hour = Demo.currentHour();
        StringBuilder payload = new StringBuilder("[");
        for (int i = 1; i <= 4; i++) {
            payload.append(i > 1 ? "," : "")
                    .append("{\"ts\":\"")
                    .append(hour.plus(Duration.ofHours(i)))
                    .append("\",\"value\":19.5}");
        }
        device.publish(
                "prognos/readings/" + FAN.deviceId() + "/" + FAN.sensorKey(),
                payload.append(']').toString().getBytes(StandardCharsets.UTF_8),
                1,
                false);
        device.disconnect();
        device.close();
        waitFor(() -> alertsFor(FAN) > before);
        assertEquals(42L, js("return window.sameVisit;"), "the page was not reloaded");
        String alerts = browser.findElement(By.id("alerts")).getText();
        assertTrue(alerts.contains("fan-3/motor_current raised"), alerts);
        // What to do, and why on hovering it: 19.5 A is beyond the fan's high limit now.
        assertTrue(alerts.contains("Act now: inspect or stop the equipment"), alerts);
        Object why = js("return [...document.querySelectorAll('#alerts li')]"
                + ".find(li => li.textContent.includes('fan-3/motor_current raised')).title;");
        assertTrue(
                String.valueOf(why).contains("the current value 19.50 is beyond the operating limit [8.0, 16.0]"),
                "why: " + why);
    }

    @Test
    @Order(4)
    void retrainingFromTheSensorViewShowsTheNewModelsTime() throws Exception {
        // Trained over REST with a training option first: Retrain repeats it, as the host's own
        // retrainings do (it trained with the plugin's defaults, 12 steps).
        JsonNode asked = api(
                        "POST",
                        "/api/v1/lstm/train",
                        "{\"device_id\": \"pump-2\", \"sensor_key\": \"bearing_temperature\", \"forecast_horizon\": 6}")
                .get("model");
        // The page shows times to the second: Retrain's model is told apart only in a later second
        // (both trainings fell in one second once, and the test failed).
        long wait =
                Instant.parse(asked.get("trained_at").asText()).plusSeconds(1).toEpochMilli()
                        - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
        openSensor(PUMP);
        waitFor(() -> !browser.findElements(By.id("trained-at")).isEmpty());
        waitFor(() -> browser.findElement(By.id("train-options")).getText().equals("forecast_horizon=6"));
        String before = browser.findElement(By.id("trained-at")).getText();
        browser.findElement(By.id("retrain")).click();
        waitFor(() -> browser.findElement(By.id("retrain-result")).getText().startsWith("trained at"));
        JsonNode retrained = api("GET", "/api/v1/lstm/models/pump-2/bearing_temperature", null)
                .get("model");
        assertEquals(6, retrained.get("forecast_horizon").asInt());
        assertEquals("6", retrained.get("train_options").get("forecast_horizon").asText());
        String trainedAt = retrained.get("trained_at").asText();
        String shownStamp = trainedAt.replace("T", " ").replaceAll("(\\.\\d+)?Z$", " UTC");
        waitFor(() -> browser.findElement(By.id("trained-at")).getText().equals(shownStamp));
        assertNotEquals(before, shownStamp);
        assertTrue(browser.findElement(By.id("retrain-result")).getText().contains(shownStamp));
        // The new model's held-out MASE, as the API lists it.
        double mase = api("GET", "/api/v1/lstm/models/pump-2/bearing_temperature", null)
                .get("model")
                .get("mase")
                .asDouble();
        assertEquals(
                String.format(Locale.ROOT, "%.3f", mase),
                browser.findElement(By.id("model-mase")).getText());

        // Limits: a refused set shows the API's reason; a good one is what the API then reports.
        WebElement form = browser.findElement(By.id("limits-form"));
        fill(form, "low", "90");
        fill(form, "high", "80");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        waitFor(() -> browser.findElement(By.id("limits-result")).getText().startsWith("Limits refused"));
        assertTrue(browser.findElement(By.id("limits-result")).getText().contains("must be below high"));
        fill(form, "low", "");
        fill(form, "high", "96");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        waitFor(() -> browser.findElement(By.id("limits-result")).getText().startsWith("limits set"));
        assertEquals(
                96.0,
                api("GET", "/api/v1/lstm/limits/pump-2/bearing_temperature", null)
                        .get("limits")
                        .get("high")
                        .asDouble());

        // An edit not yet submitted survives the page's polling after the user clicked elsewhere.
        fill(form, "high", "97");
        js("document.activeElement.blur();"); // the user clicked elsewhere
        Thread.sleep(3 * 2000); // three polls
        assertEquals("97", form.findElement(By.name("high")).getAttribute("value"), "the unsaved edit was kept");
    }

    @Test
    @Order(5)
    void withATokenThePageAsksForItAndSaysWhenItIsWrong() throws Exception {
        Path dir = HostFixture.dataDir();
        Map<String, String> config = HostFixture.config(dir);
        config.put("prognos.api-token", "plant-secret-7");
        try (HostRuntime guarded = HostFixture.start(config, new HostRuntime.Parts(false, true))) {
            WebDriver b = browser;
            b.get("http://127.0.0.1:" + guarded.rest().port() + "/");
            js("sessionStorage.clear();");
            b.navigate().refresh();
            waitFor(() -> b.findElement(By.id("login")).isDisplayed());
            assertTrue(b.findElement(By.id("fleet")).getAttribute("hidden") != null, "no data without the token");
            b.findElement(By.id("token")).sendKeys("guess");
            b.findElement(By.cssSelector("#login button")).click();
            waitFor(() -> b.findElement(By.id("login-error")).getText().contains("refused"));
            assertTrue(b.findElement(By.id("login")).isDisplayed());
            b.findElement(By.id("token")).clear();
            b.findElement(By.id("token")).sendKeys("plant-secret-7");
            b.findElement(By.cssSelector("#login button")).click();
            waitFor(() -> b.findElement(By.id("fleet")).isDisplayed()
                    && b.findElement(By.id("updated")).getText().startsWith("updated"));

            // The database stops answering (every PostgreSQL process suspended): a banner says so,
            // and goes once it answers again.
            try (HostFixture.Suspended db = HostFixture.suspendDatabase(dir)) {
                waitFor(() -> b.findElement(By.id("banner")).isDisplayed()
                        && b.findElement(By.id("banner")).getText().contains("database"));
            }
            waitFor(() -> !b.findElement(By.id("banner")).isDisplayed());
            js("sessionStorage.clear();");
        }
    }

    @Test
    @Order(6)
    void theApiIsBrowsableAtDocs() {
        browser.get(base + "/docs");
        waitFor(() -> browser.findElements(By.cssSelector(".opblock-summary-path")).stream()
                .anyMatch(e -> e.getText().contains("/api/v1/lstm/fleet")));
    }

    private Map<String, String> apiLevels() {
        Map<String, String> levels = new TreeMap<>();
        try {
            api("GET", "/api/v1/lstm/fleet", null)
                    .get("sensors")
                    .forEach(s -> levels.put(
                            s.get("device_id").asText() + "/"
                                    + s.get("sensor_key").asText(),
                            s.get("risk_level").asText()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return levels;
    }

    /** Each row's sensor and the text of its level badge (the colour's label). */
    private Map<String, String> shownLevels() {
        List<?> rows = (List<?>) js("return [...document.querySelectorAll('#fleet-table tbody tr')]"
                + ".map(r => [r.dataset.sensor, r.querySelector('.level').textContent]);");
        Map<String, String> shown = new TreeMap<>();
        rows.forEach(r ->
                shown.put(((List<?>) r).get(0).toString(), ((List<?>) r).get(1).toString()));
        return shown;
    }

    @Test
    @Order(7)
    void aThousandSensorsAreAllListedAndStillSort() throws Exception {
        Instant now = Instant.now();
        for (int i = 0; i < 1_000; i++) {
            host.fleet().readings(SensorId.of("line-" + i, "temperature"), List.of(new Reading(now, i)));
        }
        browser.get(base + "/");
        waitFor(() -> rowOrder().size() == 1_003);
        browser.findElement(By.cssSelector("th button[data-sort=last]")).click();
        waitFor(() -> rowOrder().get(0).equals("line-999/temperature"));
        // A figure, not a bound: what one render of 1,003 rows took in this headless browser.
        System.out.printf(
                "dashboard: rendering 1,003 sensors took %.1f ms%n",
                ((Number) js("return window.prognos.renderMs;")).doubleValue());
    }

    /** A sensor that cannot be trained yet says why on its page: the reason was only in the log. */
    @Test
    @Order(8)
    void aSensorWhoseTrainingFailedSaysWhyOnItsPage() throws Exception {
        // Hourly readings pausing five hours after every eight (lstm.max-gap 3 h): never trainable.
        Instant end =
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(Duration.ofHours(2));
        List<Reading> paused = new java.util.ArrayList<>();
        for (int i = 229; i >= 0; i--) {
            paused.add(new Reading(end.minus(Duration.ofHours(i + 4L * (i / 8))), 20 + 0.3 * (i % 8)));
        }
        // A host of its own: the demo's trains only on purpose (cycle.train-after 1,000,000).
        Map<String, String> config = new HashMap<>(HostFixture.config(HostFixture.dataDir()));
        config.put("prognos.mqtt.enabled", "false");
        try (HostRuntime own = HostFixture.start(config, HostRuntime.Parts.ALL)) {
            HostFixture.Response r = HostFixture.call(
                    own.rest().port(), "POST", "/api/v1/lstm/readings/kiln-8/temp", HostFixture.json(paused), null);
            assertEquals(200, r.status(), r.body());
            browser.get("http://127.0.0.1:" + own.rest().port() + "/#/sensor/kiln-8/temp");
            waitFor(() -> !browser.findElements(By.id("training-problem")).isEmpty());
            String shown = browser.findElement(By.id("training-problem")).getText();
            assertTrue(shown.startsWith("kiln-8/temp: training needs at least 65 consecutive intervals"), shown);
            assertEquals("none yet", browser.findElement(By.id("trained-at")).getText());
        }
    }

    /**
     * The fan's alert (raised by the test's readings, its last) closed from its page: gone from the
     * API's open alerts, listed as closed, and the button gone with it.
     */
    @Test
    @Order(9)
    void anOpenAlertIsClosedFromTheSensorsPage() throws Exception {
        waitFor(() -> openAlerts().contains(FAN.toString()));
        openSensor(FAN);
        waitFor(() -> browser.findElement(By.id("close-alert")).isDisplayed());
        browser.findElement(By.id("close-alert-note")).sendKeys("fan replaced & retired");
        browser.findElement(By.id("close-alert")).click();
        waitFor(() -> browser.findElement(By.id("close-alert-result")).getText().startsWith("alert closed"));
        assertTrue(!openAlerts().contains(FAN.toString()), openAlerts().toString());
        waitFor(() -> !browser.findElement(By.id("close-alert")).isDisplayed());
        String listed = browser.findElement(By.id("sensor-alerts")).getText();
        assertTrue(listed.contains(FAN + " closed"), listed);
        // The note reached the host whole (its '&' escaped in the query) and is listed with the close.
        assertTrue(listed.contains("fan replaced & retired"), listed);
        assertTrue(!browser.findElement(By.id("close-alert-note")).isDisplayed(), "offered with the button only");
    }

    /** Sensors with an open alert, as {@code GET alerts} lists them. */
    private List<String> openAlerts() {
        try {
            List<String> out = new java.util.ArrayList<>();
            api("GET", "/api/v1/lstm/alerts", null)
                    .get("alerts")
                    .forEach(a -> out.add(a.get("device_id").asText() + "/"
                            + a.get("sensor_key").asText()));
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void openSensor(SensorId s) {
        browser.get(base + "/#/sensor/" + s.deviceId() + "/" + s.sensorKey());
        waitFor(() -> browser.findElement(By.id("sensor-title")).getText().equals(s.toString()));
    }

    private static void fill(WebElement form, String name, String value) {
        WebElement in = form.findElement(By.name(name));
        in.clear();
        if (!value.isEmpty()) {
            in.sendKeys(value);
        }
        // The typed value must be what the form holds: a poll that refilled the field between the
        // clear and the typing once turned "80" into "9680" (then a valid limit, not the refusal).
        assertEquals(value, in.getAttribute("value"), "the field " + name + " holds what was typed");
    }

    private List<String> rowOrder() {
        List<?> rows = (List<?>)
                js("return [...document.querySelectorAll('#fleet-table tbody tr')].map(r => r.dataset.sensor);");
        return rows.stream().map(Object::toString).toList();
    }

    /** Read in one script: the page re-renders every 2 s, so element handles go stale. */
    private int alertsFor(SensorId s) {
        List<?> texts = (List<?>) js("return [...document.querySelectorAll('#alerts li')].map(li => li.textContent);");
        return (int)
                texts.stream().filter(t -> t.toString().contains(s + " raised")).count();
    }

    private static String firstInSchedule(JsonNode fleet) {
        JsonNode first = fleet.get("schedule").get("schedule").get(0);
        return first.get("device_id").asText() + "/" + first.get("sensor_key").asText();
    }

    /** Pixels of exactly this colour on the main chart's canvas. */
    private long pixels(int r, int g, int b) {
        Object n = js(
                "const c = document.querySelector('#chart canvas');"
                        + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
                        + "for (let i = 0; i < d.length; i += 4) { if (d[i] === arguments[0] && d[i + 1] === arguments[1]"
                        + " && d[i + 2] === arguments[2]) n++; } return n;",
                r,
                g,
                b);
        return (Long) n;
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /**
     * Waits for {@code condition}, asking again when the page replaced an element between finding it
     * and reading it: the sensor view re-renders after a training (a verify run failed on it once,
     * "stale element reference" while reading the new trained-at time).
     */
    private void waitFor(BooleanSupplier condition) {
        new WebDriverWait(browser, Duration.ofSeconds(30))
                .ignoring(StaleElementReferenceException.class)
                .until(d -> condition.getAsBoolean());
    }

    private void screenshot(String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    private JsonNode api(String method, String path, String body) throws Exception {
        HostFixture.Response r = HostFixture.call(host.rest().port(), method, path, body, null);
        assertEquals(200, r.status(), r.body());
        return Json.mapper().readTree(r.body());
    }
}
