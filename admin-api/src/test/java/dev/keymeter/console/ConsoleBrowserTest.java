package dev.keymeter.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.keymeter.lifecycle.UsageBoard;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The console's screens in real headless Chromium against a real control plane and its JSON API.
 * Each test leaves a screenshot in target/console-screenshots/ named after it.
 */
class ConsoleBrowserTest {

    private static final String RESTRICTED = "{\"preset\": \"PERMISSION_PRESET_RESTRICTED\", \"resources\": "
            + "{\"chat_completions\": \"ACCESS_LEVEL_WRITE\", \"datasets\": \"ACCESS_LEVEL_READ\"}}";
    private static final String READ_ONLY = "{\"preset\": \"PERMISSION_PRESET_READ_ONLY\"}";
    private static final String NO_LIMITS = "{}";

    @TempDir
    Path dir;
    private ConsoleFixture console;
    private Browser browser;
    private ApiClient api;
    private String testName;

    @BeforeEach
    void start(TestInfo info) throws Exception {
        testName = info.getTestMethod().orElseThrow().getName();
        browser = Browser.start(dir.resolve("profile"));
        console = new ConsoleFixture(dir.resolve("cp"), Clock.systemUTC(), ConsoleSettings.DEFAULTS);
        api = new ApiClient(console.origin(), console.adminKey());
        browser.signIn(console.origin(), console.adminKey());
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            if (console != null) {
                browser.screenshot(testName);
            }
            browser.close();
        }
        if (console != null) {
            console.close();
        }
    }

    private void createProject(String id) {
        api.post("/v1/projects", "{\"projectId\": \"" + id + "\"}");
    }

    /** The key called {@code name}, as ListKeys shows it; fails when there is none. */
    private JsonObject keyNamed(String name) {
        for (var key : api.get("/v1/keys").getAsJsonArray("keys")) {
            if (key.getAsJsonObject().get("name").getAsString().equals(name)) {
                return key.getAsJsonObject();
            }
        }
        throw new AssertionError("no key named " + name);
    }

    private List<WebElement> rows() {
        return browser.driver.findElements(By.cssSelector("#keys-table tbody tr[data-key-id]"));
    }

    private WebElement row(String keyId) {
        return browser.await(By.cssSelector("#keys-table tr[data-key-id='" + keyId + "']"));
    }

    /** Asserts the token is nowhere the page, its cookies or its storage could keep it. */
    private void assertTokenGone(String token) {
        assertFalse(browser.driver.getPageSource().contains(token), "token in the page source");
        for (Cookie cookie : browser.driver.manage().getCookies()) {
            assertFalse(cookie.getValue().contains(token), "token in cookie " + cookie.getName());
        }
        Object storage = browser.driver.executeScript(
                "return JSON.stringify(Object.assign({}, localStorage)) + JSON.stringify(Object.assign({}, sessionStorage))");
        assertEquals("{}{}", storage, "browser storage");
    }

    @Test
    void projects_createOne_showsItsKeyTokenOnceInTheSaveDialog() {
        browser.open(console.origin(), "#/projects", By.id("create-project"));
        browser.driver.findElement(By.id("project-id")).sendKeys("payments");
        browser.driver.findElement(By.id("project-name")).sendKeys("Payments");
        browser.driver.findElement(By.cssSelector("#create-project button[type=submit]")).click();
        String token = browser.await(By.id("new-token")).getText();
        assertTrue(token.startsWith("kms_") && token.length() == 40, token);
        assertEquals("Read and write API resources", browser.driver.findElement(By.cssSelector("dialog .summary")).getText());
        assertEquals("Payments", api.get("/v1/projects/payments").get("displayName").getAsString());
        browser.driver.findElement(By.xpath("//dialog//button[text()='Done']")).click();
        browser.await(By.cssSelector("#projects-table tr[data-project-id='payments']"));
        assertTokenGone(token);
    }

    @Test
    void createKey_restrictedWithCostLimitAndResetPeriod_showsTheTokenOnceThenNowhere() throws Exception {
        createProject("payments");
        browser.open(console.origin(), "#/keys", By.id("create-key"));
        browser.driver.findElement(By.id("create-key")).click();
        browser.await(By.id("key-name")).sendKeys("reporting");
        assertTrue(browser.driver.findElement(By.id("owner-service")).isSelected(), "no user: service account only");
        new Select(browser.driver.findElement(By.id("key-project"))).selectByValue("payments");
        browser.driver.findElement(By.id("preset-restricted")).click();
        browser.await(By.id("perm-chat_completions-write")).click();
        browser.driver.findElement(By.id("perm-datasets-read")).click();
        browser.driver.findElement(By.id("cost-toggle")).click();
        browser.await(By.id("cost-limit")).sendKeys("12.5");
        browser.driver.findElement(By.id("reset-toggle")).click();
        new Select(browser.await(By.id("reset-period"))).selectByValue("RESET_PERIOD_MONTHLY");
        browser.screenshot(testName + "-panel");
        browser.driver.findElement(By.id("key-submit")).click();

        String token = browser.await(By.id("new-token")).getText();
        assertTrue(token.startsWith("kms_"), token);
        assertEquals("Restricted — Chat completions: Write, Datasets: Read",
                browser.driver.findElement(By.cssSelector("dialog .summary")).getText());
        browser.screenshot(testName + "-save-dialog");
        browser.driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", console.origin(),
                "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
        browser.driver.findElement(By.xpath("//dialog//button[text()='Copy']")).click();
        browser.waiting().until(ExpectedConditions.textToBe(By.cssSelector("dialog .copied"), "Copied"));
        assertEquals(token, browser.driver.executeAsyncScript(
                "const done = arguments[arguments.length - 1]; navigator.clipboard.readText().then(done, (e) => done(String(e)));"));
        JsonObject key = keyNamed("reporting");
        assertEquals("PERMISSION_PRESET_RESTRICTED", key.getAsJsonObject("permissions").get("preset").getAsString());
        assertEquals("ACCESS_LEVEL_WRITE", key.getAsJsonObject("permissions").getAsJsonObject("resources")
                .get("chat_completions").getAsString());
        assertEquals("12500000", key.getAsJsonObject("limits").get("costLimitMicroUsd").getAsString());
        assertEquals("RESET_PERIOD_MONTHLY", key.getAsJsonObject("limits").get("resetPeriod").getAsString());

        browser.driver.findElement(By.xpath("//dialog//button[text()='Done']")).click();
        browser.waiting().until(ExpectedConditions.numberOfElementsToBe(By.tagName("dialog"), 0));
        row(key.get("id").getAsString());
        assertTokenGone(token);
    }

    @Test
    void keysTable_filteredByTypeAndPermissions_showsOnlyMatchingKeys() {
        createProject("payments");
        api.post("/v1/projects/payments/members", "{\"user\": \"ana@example.com\"}");
        String user = api.post("/v1/keys", "{\"name\": \"ana-laptop\", \"kind\": \"KEY_KIND_PROJECT\", \"projectId\":"
                + " \"payments\", \"ownerType\": \"OWNER_TYPE_USER\", \"ownerUser\": \"ana@example.com\"}")
                .getAsJsonObject("key").get("id").getAsString();
        String restricted = api.createKey("batch", "payments", RESTRICTED, NO_LIMITS).getAsJsonObject("key").get("id").getAsString();
        String readOnly = api.createKey("dashboards", "payments", READ_ONLY, NO_LIMITS).getAsJsonObject("key").get("id").getAsString();
        browser.open(console.origin(), "#/keys", By.cssSelector("tr[data-key-id='" + readOnly + "']"));
        row(user);

        new Select(browser.driver.findElement(By.id("filter-type"))).selectByValue("OWNER_TYPE_SERVICE_ACCOUNT");
        browser.waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("tr[data-key-id='" + user + "']")));
        assertTrue(rows().stream().allMatch(r -> r.findElement(By.className("type")).getText().equals("Service")));
        assertTrue(rows().stream().anyMatch(r -> r.getAttribute("data-key-id").equals(restricted)));

        new Select(browser.driver.findElement(By.id("filter-permissions"))).selectByValue("PERMISSION_PRESET_READ_ONLY");
        browser.waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("tr[data-key-id='" + restricted + "']")));
        assertEquals(List.of(readOnly), rows().stream().map(r -> r.getAttribute("data-key-id")).toList());
        assertEquals("Read only", row(readOnly).findElement(By.className("permissions")).getText());
    }

    @Test
    void statusToggle_disablesThenEnablesTheKey() {
        createProject("payments");
        String id = api.createKey("svc", "payments", READ_ONLY, NO_LIMITS).getAsJsonObject("key").get("id").getAsString();
        browser.open(console.origin(), "#/keys", By.cssSelector("tr[data-key-id='" + id + "'] [role=switch]"));
        row(id).findElement(By.cssSelector("[role=switch]")).click();
        browser.await(By.cssSelector("tr[data-key-id='" + id + "'][data-status='KEY_STATUS_DISABLED']"));
        assertEquals("KEY_STATUS_DISABLED", api.get("/v1/keys/" + id).get("status").getAsString());
        assertEquals("false", row(id).findElement(By.cssSelector("[role=switch]")).getAttribute("aria-checked"));
        row(id).findElement(By.cssSelector("[role=switch]")).click();
        browser.await(By.cssSelector("tr[data-key-id='" + id + "'][data-status='KEY_STATUS_ACTIVE']"));
        assertEquals("KEY_STATUS_ACTIVE", api.get("/v1/keys/" + id).get("status").getAsString());
    }

    @Test
    void duplicate_opensThePanelPreFilledWithTheKeysSettings() throws Exception {
        createProject("payments");
        String id = api.createKey("batch", "payments", RESTRICTED,
                "{\"costLimitMicroUsd\": \"12500000\", \"tokenLimit\": \"50000\", \"resetPeriod\": \"RESET_PERIOD_WEEKLY\"}")
                .getAsJsonObject("key").get("id").getAsString();
        browser.open(console.origin(), "#/keys", By.cssSelector("tr[data-key-id='" + id + "']"));
        row(id).findElement(By.xpath(".//button[text()='Duplicate']")).click();
        WebElement name = browser.await(By.id("key-name"));
        assertEquals("batch (copy)", name.getAttribute("value"));
        assertEquals("payments", new Select(browser.driver.findElement(By.id("key-project"))).getFirstSelectedOption().getAttribute("value"));
        assertTrue(browser.driver.findElement(By.id("preset-restricted")).isSelected());
        assertTrue(browser.driver.findElement(By.id("perm-chat_completions-write")).isSelected());
        assertTrue(browser.driver.findElement(By.id("perm-datasets-read")).isSelected());
        assertTrue(browser.driver.findElement(By.id("perm-agents-none")).isSelected());
        assertTrue(browser.driver.findElement(By.id("cost-toggle")).isSelected());
        assertEquals("12.50", browser.driver.findElement(By.id("cost-limit")).getAttribute("value"));
        assertEquals("50000", browser.driver.findElement(By.id("token-limit")).getAttribute("value"));
        assertFalse(browser.driver.findElement(By.id("rpm-toggle")).isSelected());
        assertEquals("RESET_PERIOD_WEEKLY", new Select(browser.driver.findElement(By.id("reset-period")))
                .getFirstSelectedOption().getAttribute("value"));
        browser.screenshot(testName + "-panel");
        browser.driver.findElement(By.id("key-submit")).click();
        browser.await(By.id("new-token"));
        JsonObject copy = keyNamed("batch (copy)");
        assertEquals("50000", copy.getAsJsonObject("limits").get("tokenLimit").getAsString());
    }

    @Test
    void edit_changesNamePermissionsAndLimits() {
        createProject("payments");
        String id = api.createKey("batch", "payments", RESTRICTED, "{\"costLimitMicroUsd\": \"12500000\"}")
                .getAsJsonObject("key").get("id").getAsString();
        browser.open(console.origin(), "#/keys", By.cssSelector("tr[data-key-id='" + id + "']"));
        row(id).findElement(By.xpath(".//button[text()='Edit']")).click();
        WebElement name = browser.await(By.id("key-name"));
        assertFalse(browser.driver.findElement(By.id("key-project")).isEnabled(), "the project cannot change");
        name.clear();
        name.sendKeys("batch-nightly");
        browser.driver.findElement(By.id("preset-read-only")).click();
        browser.driver.findElement(By.id("cost-toggle")).click();
        browser.driver.findElement(By.id("tokens-toggle")).click();
        browser.await(By.id("token-limit")).sendKeys("250000");
        browser.driver.findElement(By.id("key-submit")).click();
        browser.waiting().until(ExpectedConditions.numberOfElementsToBe(By.tagName("dialog"), 0));
        JsonObject key = api.get("/v1/keys/" + id);
        assertEquals("batch-nightly", key.get("name").getAsString());
        assertEquals("PERMISSION_PRESET_READ_ONLY", key.getAsJsonObject("permissions").get("preset").getAsString());
        assertFalse(key.getAsJsonObject("limits").has("costLimitMicroUsd"), key.toString());
        assertEquals("250000", key.getAsJsonObject("limits").get("tokenLimit").getAsString());
    }

    @Test
    void edit_refusedByTheServer_showsItsMessageAndMarksTheField() {
        createProject("payments");
        api.createKey("taken", "payments", READ_ONLY, NO_LIMITS);
        String id = api.createKey("other", "payments", READ_ONLY, NO_LIMITS).getAsJsonObject("key").get("id").getAsString();
        browser.open(console.origin(), "#/keys", By.cssSelector("tr[data-key-id='" + id + "']"));
        row(id).findElement(By.xpath(".//button[text()='Edit']")).click();
        WebElement name = browser.await(By.id("key-name"));
        name.clear();
        name.sendKeys("taken");
        browser.driver.findElement(By.id("key-submit")).click();
        WebElement error = browser.await(By.cssSelector("dialog .form-error"));
        browser.waiting().until(d -> !error.getText().isEmpty());
        assertTrue(error.getText().contains("ALREADY_EXISTS") && error.getText().contains("taken"), error.getText());
        name.clear();
        browser.driver.findElement(By.id("key-submit")).click();
        browser.waiting().until(d -> "true".equals(d.findElement(By.id("key-name")).getAttribute("aria-invalid")));
        assertTrue(error.getText().contains("name: required"), error.getText());
        assertEquals("other", api.get("/v1/keys/" + id).get("name").getAsString());
    }

    @Test
    void delete_asksFirstThenRemovesTheKeyFromTheList() {
        createProject("payments");
        String id = api.createKey("gone", "payments", READ_ONLY, NO_LIMITS).getAsJsonObject("key").get("id").getAsString();
        browser.open(console.origin(), "#/keys", By.cssSelector("tr[data-key-id='" + id + "']"));
        row(id).findElement(By.xpath(".//button[text()='Delete']")).click();
        browser.await(By.cssSelector("dialog.confirm")).findElement(By.xpath(".//button[text()='Delete']")).click();
        browser.waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("tr[data-key-id='" + id + "']")));
        assertTrue(api.get("/v1/keys").getAsJsonArray("keys").toString().indexOf(id) < 0);
    }

    @Test
    void revoke_asksFirstAndRevokesOnlyWhenConfirmed() throws Exception {
        createProject("payments");
        String id = api.createKey("old", "payments", READ_ONLY, NO_LIMITS).getAsJsonObject("key").get("id").getAsString();
        browser.open(console.origin(), "#/keys", By.cssSelector("tr[data-key-id='" + id + "']"));
        row(id).findElement(By.xpath(".//button[text()='Revoke']")).click();
        WebElement dialog = browser.await(By.cssSelector("dialog.confirm"));
        assertTrue(dialog.getText().contains("permanent and cannot be undone"), dialog.getText());
        browser.screenshot(testName + "-confirm");
        dialog.findElement(By.xpath(".//button[text()='Cancel']")).click();
        browser.waiting().until(ExpectedConditions.numberOfElementsToBe(By.tagName("dialog"), 0));
        assertEquals("KEY_STATUS_ACTIVE", api.get("/v1/keys/" + id).get("status").getAsString());

        row(id).findElement(By.xpath(".//button[text()='Revoke']")).click();
        browser.await(By.cssSelector("dialog.confirm")).findElement(By.xpath(".//button[text()='Revoke']")).click();
        browser.await(By.cssSelector("tr[data-key-id='" + id + "'][data-status='KEY_STATUS_REVOKED']"));
        assertEquals("KEY_STATUS_REVOKED", api.get("/v1/keys/" + id).get("status").getAsString());
    }

    @Test
    void overview_showsTheFiguresGetKeyUsageAnswers() {
        createProject("payments");
        String id = api.createKey("metered", "payments", READ_ONLY,
                "{\"costLimitMicroUsd\": \"10000000\", \"tokenLimit\": \"100000\", \"requestsPerMinute\": \"60\"}")
                .getAsJsonObject("key").get("id").getAsString();
        // What a sidecar's report puts on the board (LastUsedService records it the same way).
        console.controlPlane.rules().usageBoard().record(id, "sidecar-a", new UsageBoard.Figures(null, null,
                12_345, 655, 2_500_000, 300_000, 7, 2, Instant.now()));
        JsonObject usage = api.get("/v1/keys/" + id + "/usage");
        browser.open(console.origin(), "#/keys/" + id, By.id("usage-chart"));
        assertEquals("$2.50", figure("cost-used"));
        assertEquals("$10.00", figure("cost-limit"));
        assertEquals("$" + usd(usage.getAsJsonObject("costMicroUsd").get("remaining").getAsLong()), figure("cost-remaining"));
        assertEquals("$0.30", figure("cost-reserved"));
        assertEquals(String.format("%,d", usage.getAsJsonObject("tokens").get("used").getAsLong()), figure("tokens-used"));
        assertEquals(String.format("%,d", usage.getAsJsonObject("tokens").get("remaining").getAsLong()), figure("tokens-remaining"));
        assertEquals(String.format("%,d", usage.get("tokensReserved").getAsLong()), figure("tokens-reserved"));
        assertEquals(usage.getAsJsonObject("requestsPerMinute").get("used").getAsString(), figure("rpm-used"));
        assertEquals(usage.getAsJsonObject("requestsPerMinute").get("remaining").getAsString(), figure("rpm-remaining"));
        assertEquals("12,345", figure("tokens-used"));
        assertEquals("87,000", figure("tokens-remaining"));
        assertEquals("53", figure("rpm-remaining"));
        assertTrue(browser.driver.findElement(By.id("usage-chart")).getText().contains("no usage reported")
                || !browser.driver.findElements(By.cssSelector("#usage-chart .chart-bar")).isEmpty());
    }

    private String figure(String name) {
        return browser.driver.findElement(By.cssSelector("[data-figure='" + name + "']")).getText();
    }

    private static String usd(long micros) {
        return java.math.BigDecimal.valueOf(micros, 6).setScale(2, java.math.RoundingMode.UNNECESSARY).toPlainString();
    }

    @Test
    void csrf_aChangeFromAnotherOriginWithTheBrowsersCookie_isRefused() throws Exception {
        createProject("payments");
        String id = api.createKey("target", "payments", READ_ONLY, NO_LIMITS).getAsJsonObject("key").get("id").getAsString();
        String cookie = "keymeter_session=" + browser.driver.manage().getCookieNamed("keymeter_session").getValue();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create(console.origin() + "/v1/keys/" + id + ":revoke"))
                .header("Cookie", cookie).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, noToken.statusCode(), noToken.body());
        assertTrue(noToken.body().contains("cross-site request refused"), noToken.body());
        HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(URI.create(console.origin() + "/v1/keys/" + id + ":revoke"))
                .header("Cookie", cookie).header("Origin", "https://attacker.example").header("Content-Type", "application/json")
                .header("X-CSRF-Token", "anything").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, foreign.statusCode(), foreign.body());
        assertEquals("KEY_STATUS_ACTIVE", api.get("/v1/keys/" + id).get("status").getAsString());
        browser.open(console.origin(), "#/keys", By.cssSelector("tr[data-key-id='" + id + "'][data-status='KEY_STATUS_ACTIVE']"));
    }

    @Test
    void keyboardOnly_createsAKeyWithTabEnterAndSpace() {
        createProject("payments");
        browser.open(console.origin(), "#/keys", By.id("create-key"));
        Actions keys = new Actions(browser.driver);
        tabUntil("create-key");
        keys.sendKeys(Keys.ENTER).perform();
        browser.await(By.id("key-name"));
        assertEquals("owner-service", activeId(), "focus moves into the panel");
        keys.sendKeys(Keys.ESCAPE).perform();
        browser.waiting().until(ExpectedConditions.numberOfElementsToBe(By.tagName("dialog"), 0));

        tabUntil("create-key");
        keys.sendKeys(Keys.SPACE).perform();
        browser.await(By.id("key-name"));
        keys.sendKeys(Keys.TAB).sendKeys("typed-only").perform();
        tabUntil("cost-toggle");
        keys.sendKeys(Keys.SPACE).sendKeys(Keys.TAB).sendKeys("5").perform();
        assertEquals("cost-limit", activeId());
        keys.sendKeys(Keys.ENTER).perform();
        browser.await(By.id("new-token"));
        tabUntil("dialog-done");
        keys.sendKeys(Keys.ENTER).perform();
        browser.waiting().until(ExpectedConditions.numberOfElementsToBe(By.tagName("dialog"), 0));
        JsonObject key = keyNamed("typed-only");
        assertEquals("5000000", key.getAsJsonObject("limits").get("costLimitMicroUsd").getAsString());
    }

    private String activeId() {
        return String.valueOf(browser.driver.executeScript("return document.activeElement.id"));
    }

    /** Presses Tab until the element with {@code id} has the focus (at most 80 times). */
    private void tabUntil(String id) {
        for (int i = 0; i < 80 && !id.equals(activeId()); i++) {
            new Actions(browser.driver).sendKeys(Keys.TAB).perform();
        }
        assertEquals(id, activeId(), "Tab never reached #" + id);
    }

    @Test
    void signOut_endsTheSessionAndTheConsoleAsksToSignInAgain() {
        browser.open(console.origin(), "#/keys", By.id("keys-table"));
        browser.driver.findElement(By.id("sign-out")).click();
        browser.waiting().until(ExpectedConditions.urlContains("/console/sign-in"));
        assertTrue(browser.driver.manage().getCookieNamed("keymeter_session") == null);
        browser.driver.get(console.origin() + "/console/#/keys");
        browser.await(By.id("key"));
        assertTrue(browser.driver.getCurrentUrl().contains("/console/sign-in"), browser.driver.getCurrentUrl());
    }
}
