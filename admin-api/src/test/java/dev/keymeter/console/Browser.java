package dev.keymeter.console;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Real headless Chromium driven by the system chromedriver: Selenium is pointed at both binaries, so
 * its manager never looks for (or downloads) a driver. Without them the test is skipped with a
 * message, except under CI (environment variable {@code CI}), where {@code .ci/test} installs them and
 * their absence fails.
 */
public final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    public final ChromeDriver driver;
    private final ChromeDriverService service;

    private Browser(Path profile) {
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile);
        driver = new ChromeDriver(service, options);
    }

    /** A browser, or the test skipped (failed under CI) when chromium or its driver is missing. */
    public static Browser start(Path profile) {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && System.getenv("CI") != null) {
            fail("CI runs the console's browser tests: install chromium and chromium-driver (.ci/test does)");
        }
        Assumptions.assumeTrue(installed,
                "console browser tests skipped: /usr/bin/chromium or /usr/bin/chromedriver missing"
                        + " (apt-get install chromium chromium-driver)");
        return new Browser(profile);
    }

    public WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(10));
    }

    public WebElement await(By by) {
        return waiting().until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    public WebElement clickable(By by) {
        return waiting().until(ExpectedConditions.elementToBeClickable(by));
    }

    /**
     * Signs in at {@code origin} with {@code key} through the sign-in form and waits for the console.
     */
    public void signIn(String origin, String key) {
        driver.get(origin + "/console/");
        await(By.id("key")).sendKeys(key);
        driver.findElement(By.cssSelector("button[type=submit]")).click();
        await(By.id("sign-out"));
    }

    /** Opens a screen of the console by its hash, e.g. {@code #/keys}, and waits until it has drawn. */
    public void open(String origin, String hash, By drawn) {
        driver.get("about:blank"); // a full load: the same URL again would not even fire hashchange
        driver.get(origin + "/console/" + hash);
        await(drawn);
    }

    /** Saves what the browser shows to target/console-screenshots/NAME.png. */
    public void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
