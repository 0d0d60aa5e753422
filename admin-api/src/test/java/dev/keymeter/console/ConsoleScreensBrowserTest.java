package dev.keymeter.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The console's other screens in real headless Chromium: members (removal lists the revoked user
 * keys), legacy keys, the audit log, a project key's sign-in and the trusted user header.
 */
class ConsoleScreensBrowserTest {

    @TempDir
    Path dir;
    private ConsoleFixture console;
    private Browser browser;
    private ApiClient api;
    private String testName;

    private void start(TestInfo info, ConsoleSettings settings) throws Exception {
        testName = info.getTestMethod().orElseThrow().getName();
        browser = Browser.start(dir.resolve("profile"));
        console = new ConsoleFixture(dir.resolve("cp"), Clock.systemUTC(), settings);
        api = new ApiClient(console.origin(), console.adminKey());
        api.post("/v1/projects", "{\"projectId\": \"payments\"}");
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

    private String userKey(String name, String user) {
        return api.post("/v1/keys", "{\"name\": \"" + name + "\", \"kind\": \"KEY_KIND_PROJECT\", \"projectId\": \"payments\","
                + " \"ownerType\": \"OWNER_TYPE_USER\", \"ownerUser\": \"" + user + "\"}")
                .getAsJsonObject("key").get("id").getAsString();
    }

    @Test
    void members_removingOne_listsTheUserKeysItRevoked(TestInfo info) throws Exception {
        start(info, ConsoleSettings.DEFAULTS);
        browser.signIn(console.origin(), console.adminKey());
        browser.open(console.origin(), "#/projects/payments", By.id("add-member"));
        browser.driver.findElement(By.id("member-user")).sendKeys("ana@example.com");
        browser.driver.findElement(By.cssSelector("#add-member button[type=submit]")).click();
        browser.await(By.cssSelector("#members-table tr[data-user='ana@example.com']"));
        String laptop = userKey("ana-laptop", "ana@example.com");
        String ci = userKey("ana-ci", "ana@example.com");
        browser.open(console.origin(), "#/projects/payments", By.cssSelector("#keys-table tr[data-key-id='" + ci + "']"));

        browser.driver.findElement(By.xpath("//tr[@data-user='ana@example.com']//button[text()='Remove']")).click();
        browser.await(By.cssSelector("dialog.confirm")).findElement(By.xpath(".//button[text()='Remove']")).click();
        WebElement notice = browser.await(By.id("notice"));
        browser.waiting().until(ExpectedConditions.textToBePresentInElement(notice, "Revoked user keys"));
        assertTrue(notice.getText().contains(laptop) && notice.getText().contains(ci), notice.getText());
        assertEquals("KEY_STATUS_REVOKED", api.get("/v1/keys/" + laptop).get("status").getAsString());
        browser.await(By.cssSelector("#keys-table tr[data-key-id='" + ci + "'][data-status='KEY_STATUS_REVOKED']"));
    }

    @Test
    void projects_deleteOne_asksFirstThenSaysHowManyKeysItRevoked(TestInfo info) throws Exception {
        start(info, ConsoleSettings.DEFAULTS);
        browser.signIn(console.origin(), console.adminKey());
        browser.open(console.origin(), "#/projects", By.cssSelector("#projects-table tr[data-project-id='payments']"));
        browser.driver.findElement(By.xpath("//tr[@data-project-id='payments']//button[text()='Delete']")).click();
        WebElement dialog = browser.await(By.cssSelector("dialog.confirm"));
        assertTrue(dialog.getText().contains("revokes every key"), dialog.getText());
        dialog.findElement(By.xpath(".//button[text()='Delete project']")).click();
        WebElement notice = browser.await(By.id("notice"));
        browser.waiting().until(ExpectedConditions.textToBePresentInElement(notice, "1 key(s) revoked"));
        browser.waiting().until(ExpectedConditions.invisibilityOfElementLocated(
                By.cssSelector("#projects-table tr[data-project-id='payments']")));
    }

    @Test
    void legacyKey_hasNoLimitControlsAndSaysHowToReplaceIt(TestInfo info) throws Exception {
        start(info, ConsoleSettings.DEFAULTS);
        String id = api.post("/v1/keys:importLegacy", "{\"token\": \"sk-legacy-0123456789abcdef\", \"name\": \"old-sdk\","
                + " \"kind\": \"KEY_KIND_PROJECT\", \"projectId\": \"payments\", \"ownerType\": \"OWNER_TYPE_SERVICE_ACCOUNT\"}")
                .get("id").getAsString();
        browser.signIn(console.origin(), console.adminKey());
        browser.open(console.origin(), "#/keys/" + id, By.id("legacy-note"));
        assertTrue(browser.driver.findElement(By.id("legacy-note")).getText().contains("create a new key"));
        browser.driver.findElement(By.xpath("//button[text()='Edit']")).click();
        browser.await(By.id("key-name"));
        assertTrue(browser.driver.findElements(By.id("cost-toggle")).isEmpty(), "no limit controls");
        assertTrue(browser.driver.findElements(By.id("preset-restricted")).isEmpty(), "no per-resource permissions");
        assertTrue(browser.driver.findElement(By.cssSelector("dialog #legacy-panel-note")).isDisplayed());
    }

    @Test
    void auditLog_filteredByKey_showsThatKeysRecords(TestInfo info) throws Exception {
        start(info, ConsoleSettings.DEFAULTS);
        String id = api.post("/v1/keys", "{\"name\": \"audited\", \"kind\": \"KEY_KIND_PROJECT\", \"projectId\": \"payments\","
                + " \"ownerType\": \"OWNER_TYPE_SERVICE_ACCOUNT\"}").getAsJsonObject("key").get("id").getAsString();
        api.post("/v1/keys/" + id + ":disable", "{}");
        browser.signIn(console.origin(), console.adminKey());
        browser.open(console.origin(), "#/audit", By.id("audit-filters"));
        browser.driver.findElement(By.id("audit-key")).sendKeys(id);
        browser.driver.findElement(By.cssSelector("#audit-filters button[type=submit]")).click();
        browser.waiting().until(d -> d.findElements(By.cssSelector("#audit-table tbody tr")).size() == 2
                && d.findElement(By.id("audit-table")).getText().contains("DisableKey"));
        String table = browser.driver.findElement(By.id("audit-table")).getText();
        assertTrue(table.contains("CreateKey") && table.contains("key/" + id), table);
        assertFalse(table.contains("CreateProject"), table);
    }

    @Test
    void usageChart_drawsOneColumnPerHistorySampleScaledToThePeak(TestInfo info) throws Exception {
        start(info, ConsoleSettings.DEFAULTS);
        browser.signIn(console.origin(), console.adminKey());
        browser.open(console.origin(), "#/keys", By.id("keys-table"));
        Object drawn = browser.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "import('/console/chart.js').then((chart) => {"
                + "  const samples = [];"
                + "  for (let i = 0; i < 96; i++) samples.push({startTime: new Date(Date.UTC(2026, 11, 7, 0, 15 * i)).toISOString(),"
                + "    requests: String(i % 8 === 0 ? 40 : i % 3), tokens: '0'});"
                + "  const svg = chart.usageChart(samples);"
                + "  document.getElementById('view').replaceChildren(svg);"
                + "  const bars = [...svg.querySelectorAll('.chart-bar')];"
                + "  const tallest = Math.max(...bars.map((b) => Number(b.getAttribute('height'))));"
                + "  const ofPeak = bars.filter((b) => b.dataset.requests === '40').every((b) => Number(b.getAttribute('height')) === tallest);"
                + "  done(bars.length + ' ' + ofPeak + ' ' + svg.textContent.includes('no usage reported'));"
                + "}).catch((e) => done(String(e)));");
        assertEquals("96 true false", drawn);
        Object empty = browser.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "import('/console/chart.js').then((chart) => {"
                + "  const svg = chart.usageChart(undefined);"
                + "  done(svg.querySelectorAll('.chart-bar').length + ' ' + svg.textContent.includes('no usage reported'));"
                + "});");
        assertEquals("0 true", empty);
    }

    @Test
    void projectKey_signsInToItsOwnOverview(TestInfo info) throws Exception {
        start(info, ConsoleSettings.DEFAULTS);
        JsonObject created = api.post("/v1/keys", "{\"name\": \"app\", \"kind\": \"KEY_KIND_PROJECT\", \"projectId\":"
                + " \"payments\", \"ownerType\": \"OWNER_TYPE_SERVICE_ACCOUNT\", \"limits\": {\"requestsPerMinute\": \"30\"}}");
        browser.signIn(console.origin(), created.get("token").getAsString());
        browser.await(By.id("usage-chart"));
        assertTrue(browser.driver.getCurrentUrl().endsWith("#/keys/" + created.getAsJsonObject("key").get("id").getAsString()));
        assertEquals("30", browser.driver.findElement(By.cssSelector("[data-figure='rpm-limit']")).getText());
        assertFalse(browser.driver.findElement(By.cssSelector("[data-nav='keys']")).isDisplayed());
    }

    @Test
    void trustedUserHeader_makesYouAUserKeyForThatPerson(TestInfo info) throws Exception {
        start(info, ConsoleSettings.DEFAULTS.withTrustedUserHeader("X-Forwarded-Email"));
        api.post("/v1/projects/payments/members", "{\"user\": \"ana@example.com\"}");
        // What oauth2-proxy in front of the console would add to every request.
        browser.driver.executeCdpCommand("Network.enable", Map.of());
        browser.driver.executeCdpCommand("Network.setExtraHTTPHeaders",
                Map.of("headers", Map.of("X-Forwarded-Email", "ana@example.com")));
        browser.signIn(console.origin(), console.adminKey());
        assertTrue(browser.await(By.id("who")).getText().contains("ana@example.com"));
        browser.open(console.origin(), "#/keys", By.id("create-key"));
        browser.driver.findElement(By.id("create-key")).click();
        browser.await(By.id("key-name")).sendKeys("ana-notebook");
        assertTrue(browser.driver.findElement(By.id("owner-you")).isSelected());
        browser.driver.findElement(By.id("key-submit")).click();
        assertTrue(browser.await(By.id("new-token")).getText().startsWith("kmu_"));
        JsonObject key = api.get("/v1/keys?ownerType=OWNER_TYPE_USER").getAsJsonArray("keys").get(0).getAsJsonObject();
        assertEquals("ana-notebook", key.get("name").getAsString());
        assertEquals("ana@example.com", key.get("ownerUser").getAsString());
    }
}
