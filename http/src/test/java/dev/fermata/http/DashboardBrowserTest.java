package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.OrchestrationStatus;
import dev.fermata.engine.Counter;
import dev.fermata.entities.EntityId;
import dev.fermata.testsupport.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Drives the dashboard in Debian's chromium, headless: the list with its filters, counts and pages,
 * an instance's page with its timeline, and actions whose effect is then read through the API.
 */
class DashboardBrowserTest extends HttpApiTestSupport {
  private static final String KEY = "dashboard-key";
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private WebDriver browser;
  private WebDriverWait until;

  @Override
  String managementKey() {
    return KEY;
  }

  @BeforeEach
  void openBrowser() {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new IllegalStateException(
          "The dashboard's browser tests need Debian's chromium and chromium-driver ("
              + CHROMIUM
              + ", "
              + CHROMEDRIVER
              + "): ./fermata test installs them, or run apt-get install chromium chromium-driver");
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        "--user-data-dir=" + dir.resolve("chromium-profile"));
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    browser = new ChromeDriver(service, options);
    until = new WebDriverWait(browser, WAIT);
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void list_asksForTheKey_countsFiltersAndPages() {
    List<String> echoes = new ArrayList<>();
    for (int i = 0; i < 55; i++) {
      echoes.add(client.scheduleNew("Echo", i, StartOptions.withId("echo-" + i)));
    }
    client.scheduleNew("WaitForGo", null, StartOptions.withId("waiting-1"));
    client.scheduleNew("Fail", null, StartOptions.withId("failing-1"));
    for (String id : echoes) {
      client.waitForCompletion(id, WAIT);
    }
    client.waitForCompletion("failing-1", WAIT);
    client.waitForStart("waiting-1", WAIT);
    awaitStatus("waiting-1", OrchestrationStatus.RUNNING);

    browser.get(origin + "/dashboard");
    WebElement keyInput =
        until.until(ExpectedConditions.visibilityOfElementLocated(By.id("key-input")));
    keyInput.sendKeys(KEY);
    click(By.cssSelector("#key-form button"));

    awaitText("#count-total", "57 instances");
    assertThat(text("#count-Completed")).endsWith("55");
    assertThat(text("#count-Running")).endsWith("1");
    assertThat(text("#count-Failed")).endsWith("1");

    Set<String> listed = new HashSet<>(rowIds());
    assertThat(listed).hasSize(50);
    click(By.id("next-page"));
    awaitText(".pager .muted", "page 2");
    List<String> second = rowIds();
    assertThat(second).hasSize(7);
    listed.addAll(second);
    assertThat(listed).hasSize(57).containsAll(echoes).contains("waiting-1", "failing-1");
    assertThat(attribute("#next-page", "disabled")).isNotNull();

    click(By.id("status-Running"));
    click(By.id("apply-filters"));
    awaitText("#count-total", "1 instances");
    assertThat(rowIds()).containsExactly("waiting-1");

    browser.get(origin + "/dashboard#/?prefix=echo-1");
    awaitText("#count-total", "11 instances"); // echo-1 and echo-10 to echo-19
    assertThat(rowIds()).hasSize(11).allMatch(id -> id.startsWith("echo-1"));

    browser.get(origin + "/dashboard#/?name=Fail");
    awaitText("#count-total", "1 instances");
    assertThat(rowIds()).containsExactly("failing-1");
  }

  @Test
  void instancePage_showsTheTimeline_andTerminatesAChild() {
    String greeting = client.scheduleNew("Greet", "Ada");
    client.waitForCompletion(greeting, WAIT);
    client.scheduleNew("Parent", null, StartOptions.withId("parent-1"));
    awaitStatus("parent-1:child", OrchestrationStatus.RUNNING);

    browser.get(origin + "/dashboard?code=" + KEY + "#/instance/" + greeting);
    awaitText("#instance-status .badge", "Completed");
    assertThat(text("#instance-name")).isEqualTo("Greet");
    assertThat(text("#instance-input")).isEqualTo("Ada");
    assertThat(text("#instance-output")).isEqualTo("Hello, Ada!");
    assertThat(attribute("#timeline .bar", "data-kind")).isEqualTo("activity");
    assertThat(attribute("#timeline .bar", "data-name")).isEqualTo("Hello");
    assertThat(attribute("#timeline .bar", "class")).contains("done");

    browser.get(origin + "/dashboard#/instance/parent-1");
    awaitText("#instance-status .badge", "Running");
    assertThat(attribute("#timeline .bar", "data-kind")).isEqualTo("sub-orchestration");
    assertThat(attribute("#timeline .bar", "class")).contains("open");
    assertThat(text("#waiting-on li[data-kind='sub-orchestration']"))
        .isEqualTo("Sub-orchestration WaitForGo parent-1:child");
    click(By.linkText("parent-1:child"));
    awaitText("#instance-id", "parent-1:child");
    awaitText("#instance-status .badge", "Running");
    assertThat(text("#waiting-on li[data-kind='event']"))
        .startsWith("No activity, timer or sub-orchestration is open");

    browser.findElement(By.id("action-reason")).sendKeys("stopped from the dashboard");
    click(By.id("action-terminate"));
    awaitText("#instance-status .badge", "Terminated");

    JsonNode child = json(get(BASE + "/instances/parent-1:child?code=" + KEY));
    assertThat(child.path("runtimeStatus").asText()).isEqualTo("Terminated");
    assertThat(child.path("output").asText()).isEqualTo("stopped from the dashboard");
  }

  @Test
  void raisingAnEvent_fromThePage_completesTheInstance() {
    client.scheduleNew("WaitForGo", null, StartOptions.withId("waiting-2"));
    client.waitForStart("waiting-2", WAIT);
    awaitStatus("waiting-2", OrchestrationStatus.RUNNING);

    browser.get(origin + "/dashboard?code=" + KEY + "#/instance/waiting-2");
    awaitText("#instance-status .badge", "Running");
    assertThat(text("#waiting-on li[data-kind='event']")).contains("waits for an external event");
    browser.findElement(By.id("event-name")).sendKeys("Go");
    browser.findElement(By.id("event-data")).sendKeys("{\"approved\":true}");
    click(By.id("action-raise"));

    // The page refreshes itself until the instance has finished.
    awaitText("#instance-status .badge", "Completed");
    assertThat(text("#instance-output")).contains("\"approved\": true");
    assertThat(text("#waiting-on")).as("a finished instance waits for nothing").isNull();
    assertThat(client.waitForCompletion("waiting-2", WAIT).getSerializedOutput())
        .isEqualTo("{\"approved\":true}");
    assertThat(attribute("#timeline .bar", "data-kind")).isEqualTo("event");
    assertThat(attribute("#timeline .bar", "data-name")).isEqualTo("event Go");
  }

  @Test
  void entitiesAndWorkers_areShown() {
    client.signalEntity(new EntityId(Counter.NAME, "c1"), "add", 5);
    Poll.until(
        "the counter at 5",
        WAIT,
        () ->
            client
                .getEntity(new EntityId(Counter.NAME, "c1"), Integer.class)
                .map(e -> e.state() == 5)
                .orElse(false));

    browser.get(origin + "/dashboard?code=" + KEY + "#/entities");
    awaitText("#entities tr[data-entity='@counter@c1'] td:nth-child(4)", "5");
    assertThat(text("#entities tr[data-entity='@counter@c1'] td:nth-child(1)"))
        .isEqualTo("counter");

    click(By.id("nav-workers"));
    awaitText("#backlog-tasks", "0");
    assertThat(text("#backlog-messages")).isEqualTo("0");
    assertThat(text("#backlog-oldest")).isEqualTo("none");
    assertThat(text("#workers")).contains("runs alone on its store");
  }

  private void awaitText(String css, String expected) {
    until
        .withMessage(() -> "waiting for '" + expected + "' at " + css + ": " + shownError())
        .until(d -> expected.equals(text(css)));
  }

  private String shownError() {
    String error = text("#error");
    return error == null || error.isEmpty() ? "no error shown" : "the page shows " + error;
  }

  /**
   * Reads through the page's own script, in one step: the page redraws itself while instances run,
   * and an element found first and read later may be gone by then.
   */
  private Object read(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  /** The text of the first element {@code css} selects, or null if there is none. */
  private String text(String css) {
    return (String)
        read(
            "const e = document.querySelector(arguments[0]); return e && e.textContent.trim();",
            css);
  }

  private String attribute(String css, String name) {
    return (String)
        read(
            "const e = document.querySelector(arguments[0]); return e && e.getAttribute(arguments[1]);",
            css,
            name);
  }

  @SuppressWarnings("unchecked")
  private List<String> rowIds() {
    return (List<String>)
        read(
            "return [...document.querySelectorAll('#instances tbody tr[data-instance-id]')]"
                + ".map(row => row.dataset.instanceId);");
  }

  /** Clicks, again if the page redrew the element between finding and clicking it. */
  private void click(By what) {
    until
        .ignoring(StaleElementReferenceException.class)
        .until(
            d -> {
              d.findElement(what).click();
              return true;
            });
  }
}
