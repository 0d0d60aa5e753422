package dev.keymeter.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keymeter.admin.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;

/** Signing in and out in a real browser. */
class ConsoleSignInBrowserTest {

    @TempDir
    Path dir;
    private ConsoleFixture console;
    private Browser browser;

    @BeforeEach
    void start() throws Exception {
        browser = Browser.start(dir.resolve("profile"));
        console = new ConsoleFixture(dir.resolve("cp"), new MutableClock(Instant.now()), ConsoleSettings.DEFAULTS);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (console != null) {
            console.close();
        }
    }

    @Test
    void signIn_withAWrongKey_saysSoWithoutShowingIt() throws Exception {
        browser.driver.get(console.uri("/console/").toString());
        browser.await(By.id("key")).sendKeys("kma_wrongwrongwrongwrongwrongwrong123456");
        browser.driver.findElement(By.cssSelector("button[type=submit]")).click();
        String alert = browser.await(By.cssSelector("[role=alert]")).getText();
        assertEquals("That key was not accepted.", alert);
        assertFalse(browser.driver.getPageSource().contains("kma_wrongwrong"));
        browser.screenshot("signIn_withAWrongKey_saysSoWithoutShowingIt");
    }

    @Test
    void signIn_withTheAdminKey_opensTheConsoleWithAnHttpOnlyCookie() throws Exception {
        browser.driver.get(console.uri("/console/").toString());
        assertTrue(browser.driver.getCurrentUrl().endsWith("/console/sign-in"));
        browser.await(By.id("key")).sendKeys(console.adminKey());
        browser.screenshot("signIn_withTheAdminKey_opensTheConsoleWithAnHttpOnlyCookie-form");
        browser.driver.findElement(By.cssSelector("button[type=submit]")).click();
        browser.await(By.id("sign-out"));
        Cookie cookie = browser.driver.manage().getCookieNamed("keymeter_session");
        assertTrue(cookie.isHttpOnly());
        assertEquals("Strict", cookie.getSameSite());
        assertEquals("/", cookie.getPath());
        assertFalse(browser.driver.getPageSource().contains(console.adminKey()));
        Object storage = browser.driver.executeScript(
                "return JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie");
        assertFalse(String.valueOf(storage).contains(console.adminKey()));
        assertFalse(String.valueOf(storage).contains("keymeter_session"), "HttpOnly: scripts cannot read it");
        browser.screenshot("signIn_withTheAdminKey_opensTheConsoleWithAnHttpOnlyCookie");
    }
}
