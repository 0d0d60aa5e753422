package dev.keymeter.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.keymeter.admin.ControlPlane;
import dev.keymeter.admin.ControlPlaneConfig;
import dev.keymeter.console.ApiClient;
import dev.keymeter.console.Browser;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * The console in real headless Chromium against the control plane and sidecar as {@code keymeter
 * serve} assembles them in one process: the status toggle reaches Check, and the Overview shows what
 * the sidecar reported, equal to GetKeyUsage ({@code keymeter keys usage}).
 */
class ConsoleSidecarBrowserTest extends SidecarProcesses {

    private Browser browser;

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private String origin() {
        return "http://127.0.0.1:" + controlPlane.consolePort();
    }

    /** The control plane with its HTTP listener, a sidecar fed in-process (reports every 200 ms), a signed-in browser. */
    private ApiClient serve() throws Exception {
        browser = Browser.start(dir.resolve("profile"));
        controlPlane = ControlPlane.start(ControlPlaneConfig.defaults(dir.resolve("cp")).withPort(0)
                .withConsoleAddress(new InetSocketAddress("127.0.0.1", 0)));
        sidecar = Sidecar.start(SidecarConfig.defaults(dir.resolve("replica")).withPorts(0, 0)
                .withReportInterval(Duration.ofMillis(200)), controlPlane.inProcessChannel(), "");
        authz = ManagedChannelBuilder.forAddress("127.0.0.1", sidecar.port()).usePlaintext().build();
        browser.signIn(origin(), controlPlane.bootstrapKey().orElseThrow().token());
        return new ApiClient(origin(), controlPlane.bootstrapKey().orElseThrow().token());
    }

    private boolean allowed(String token) {
        try {
            return AdminConnection.chatCheck(authz, token, "").getStatus().getCode() == 0;
        } catch (StatusRuntimeException notReady) {
            return false;
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private WebElement toggle(String keyId) {
        return browser.await(By.cssSelector("tr[data-key-id='" + keyId + "'] [role=switch]"));
    }

    @Test
    void statusToggle_disableThenEnable_theSidecarRefusesThenAllowsTheKey() throws Exception {
        ApiClient api = serve();
        api.post("/v1/projects", "{\"projectId\": \"payments\"}");
        JsonObject created = api.createKey("svc", "payments", "{\"preset\": \"PERMISSION_PRESET_ALL\"}", "{}");
        String id = created.getAsJsonObject("key").get("id").getAsString();
        String token = created.get("token").getAsString();
        await("the sidecar to allow the new key", () -> allowed(token));

        browser.open(origin(), "#/keys", By.cssSelector("tr[data-key-id='" + id + "'] [role=switch]"));
        toggle(id).click();
        browser.await(By.cssSelector("tr[data-key-id='" + id + "'][data-status='KEY_STATUS_DISABLED']"));
        await("Check to refuse the disabled key", () -> !allowed(token));
        browser.screenshot("statusToggle_disableThenEnable_theSidecarRefusesThenAllowsTheKey-disabled");

        toggle(id).click();
        browser.await(By.cssSelector("tr[data-key-id='" + id + "'][data-status='KEY_STATUS_ACTIVE']"));
        await("Check to allow the enabled key again", () -> allowed(token));
        browser.screenshot("statusToggle_disableThenEnable_theSidecarRefusesThenAllowsTheKey");
    }

    @Test
    void overview_figuresReportedByTheSidecar_equalGetKeyUsage() throws Exception {
        ApiClient api = serve();
        api.post("/v1/projects", "{\"projectId\": \"payments\"}");
        JsonObject created = api.createKey("metered", "payments", "{\"preset\": \"PERMISSION_PRESET_ALL\"}",
                "{\"requestsPerMinute\": \"100\", \"tokenLimit\": \"100000\"}");
        String id = created.getAsJsonObject("key").get("id").getAsString();
        String token = created.get("token").getAsString();
        await("the sidecar to allow the new key", () -> allowed(token));
        for (int i = 0; i < 4; i++) {
            assertTrue(allowed(token));
        }
        await("the sidecar's report of 5 requests", () -> number(api.get("/v1/keys/" + id + "/usage")
                .getAsJsonObject("requestsPerMinute"), "used") >= 5);

        browser.open(origin(), "#/keys/" + id, By.id("usage-chart"));
        JsonObject usage = api.get("/v1/keys/" + id + "/usage");
        JsonObject rpm = usage.getAsJsonObject("requestsPerMinute");
        assertEquals(rpm.get("used").getAsString(), figure("rpm-used"));
        assertEquals(rpm.get("limit").getAsString(), figure("rpm-limit"));
        assertEquals(rpm.get("remaining").getAsString(), figure("rpm-remaining"));
        JsonObject tokens = usage.getAsJsonObject("tokens");
        assertEquals(String.format("%,d", number(tokens, "used")), figure("tokens-used"));
        assertEquals(String.format("%,d", tokens.get("limit").getAsLong()), figure("tokens-limit"));
        assertEquals(String.format("%,d", tokens.get("remaining").getAsLong()), figure("tokens-remaining"));
        assertEquals(String.format("%,d", number(usage, "tokensReserved")), figure("tokens-reserved"));
        ((JavascriptExecutor) browser.driver).executeScript("document.getElementById('usage-chart').scrollIntoView()");
        browser.screenshot("overview_figuresReportedByTheSidecar_equalGetKeyUsage");
    }

    /** A figure of the JSON answer; proto3 JSON leaves zeros out. */
    private static long number(JsonObject object, String field) {
        return object.has(field) ? object.get(field).getAsLong() : 0;
    }

    private String figure(String name) {
        return browser.driver.findElement(By.cssSelector("[data-figure='" + name + "']")).getText();
    }
}
