package dev.fermata.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.ActivityContext;
import dev.fermata.FermataClient;
import dev.fermata.OrchestrationContext;
import dev.fermata.annotations.Activity;
import dev.fermata.annotations.HttpTrigger;
import dev.fermata.annotations.Orchestrator;
import dev.fermata.annotations.TimerTrigger;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnnotationsTest {
  @TempDir Path dir;

  public static class AllShapes {
    @Orchestrator("NoInput")
    public String noInput(OrchestrationContext ctx) {
      String a = ctx.callActivity("Plain", null, String.class).await();
      String b = ctx.callActivity("WithContext", null, String.class).await();
      String c = ctx.callActivity("WithInput", 2, String.class).await();
      String d = ctx.callActivity("WithBoth", 3, String.class).await();
      return String.join(",", a, b, c, d);
    }

    @Orchestrator("Failing")
    public static String failing(OrchestrationContext ctx, String why) {
      throw new IllegalArgumentException(why);
    }

    @Activity("Plain")
    public String plain() {
      return "plain";
    }

    @Activity("WithContext")
    public String withContext(ActivityContext ctx) {
      return ctx.getName();
    }

    @Activity("WithInput")
    public String withInput(Integer n) {
      return "n=" + n;
    }

    @Activity("WithBoth")
    public String withBoth(ActivityContext ctx, int n) {
      return ctx.getName() + "=" + n;
    }
  }

  @Test
  void everyAcceptedSignature_runs_andExceptionsComeOutUnwrapped() {
    try (FermataHost host =
        FermataHost.builder(HostTestSupport.config(dir.resolve("a.db")))
            .register(new AllShapes())
            .build()
            .start()) {
      FermataClient client = host.fermata().client();
      String id = client.scheduleNew("NoInput", null);
      assertThat(client.waitForCompletion(id, Duration.ofSeconds(60)).readOutputAs(String.class))
          .isEqualTo("plain,WithContext,n=2,WithBoth=3");
      String failed = client.scheduleNew("Failing", "on purpose");
      var state = client.waitForCompletion(failed, Duration.ofSeconds(60));
      assertThat(state.getFailureDetails().errorType()).contains("IllegalArgumentException");
      assertThat(state.getFailureDetails().errorMessage()).isEqualTo("on purpose");
    }
  }

  static class BadOrchestrator {
    @Orchestrator("Bad")
    public String bad(String input) {
      return input;
    }
  }

  static class BadActivity {
    @Activity("Bad")
    public String bad(OrchestrationContext ctx) {
      return "";
    }
  }

  static class BadHttp {
    @HttpTrigger(route = "x")
    public String bad(String body) {
      return body;
    }
  }

  static class BadTimer {
    @TimerTrigger("0 0 1 * * *")
    public void bad(String what) {}
  }

  static class BadSchedule {
    @TimerTrigger("0 0 1 * *")
    public void tick() {}
  }

  static class NotPublic {
    @Activity("Hidden")
    String hidden() {
      return "";
    }
  }

  static class TwoKinds {
    @Activity("A")
    @Orchestrator("O")
    public String both(OrchestrationContext ctx) {
      return "";
    }
  }

  static class Nothing {
    public void plain() {}
  }

  static class NoDefaultConstructor {
    NoDefaultConstructor(int x) {}

    @Activity("X")
    public String x() {
      return "";
    }
  }

  private static FermataHost.Builder builder() {
    return FermataHost.builder(HostConfig.defaults().withGrpcPort(null));
  }

  @Test
  void wrongSignatures_nameTheMethodAndTheExpectedSignature() {
    assertThatThrownBy(() -> builder().register(new BadOrchestrator()))
        .hasMessageContaining("BadOrchestrator.bad(String)")
        .hasMessageContaining("(OrchestrationContext) or (OrchestrationContext, InputType input)");
    assertThatThrownBy(() -> builder().register(new BadActivity()))
        .hasMessageContaining("BadActivity.bad(OrchestrationContext)")
        .hasMessageContaining("(ActivityContext, InputType input)");
    assertThatThrownBy(() -> builder().register(new BadHttp()))
        .hasMessageContaining("BadHttp.bad(String)")
        .hasMessageContaining("HttpRequestMessage, DurableHttpClient and FermataClient");
    assertThatThrownBy(() -> builder().register(new BadTimer()))
        .hasMessageContaining("BadTimer.bad(String)")
        .hasMessageContaining("TimerInfo and FermataClient");
    assertThatThrownBy(() -> builder().register(new BadSchedule()))
        .hasMessageContaining("Timer function 'tick'")
        .hasMessageContaining("6 fields");
    assertThatThrownBy(() -> builder().register(new NotPublic()))
        .hasMessageContaining("NotPublic.hidden()")
        .hasMessageContaining("must be public");
    assertThatThrownBy(() -> builder().register(new TwoKinds()))
        .hasMessageContaining("more than one function annotation");
    assertThatThrownBy(() -> builder().register(new Nothing()))
        .hasMessageContaining("has no method annotated");
    assertThatThrownBy(() -> builder().register(NoDefaultConstructor.class))
        .hasMessageContaining("needs a constructor without parameters");
  }
}
