package dev.fermata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  @Test
  void delayAfterAttemptK_isFirstTimesCoefficientToTheK_cappedAtTheMaximum() {
    RetryPolicy p =
        RetryPolicy.builder(10, Duration.ofSeconds(1))
            .backoffCoefficient(2)
            .maxRetryInterval(Duration.ofSeconds(10))
            .build();

    assertThat(p.delayAfterAttempt(0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.delayAfterAttempt(1)).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.delayAfterAttempt(3)).isEqualTo(Duration.ofSeconds(8));
    assertThat(p.delayAfterAttempt(4)).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.delayAfterAttempt(60)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void defaults_areThoseOfDurableFunctions() {
    RetryPolicy p = RetryPolicy.of(3, Duration.ofSeconds(5));

    assertThat(p.backoffCoefficient()).isEqualTo(1.0);
    assertThat(p.maxRetryInterval()).isEqualTo(Duration.ofDays(6));
    assertThat(p.retryTimeout()).isNull();
    assertThat(p.delayAfterAttempt(7)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void invalidSettings_areRejected_namingTheSetting() {
    assertThatThrownBy(() -> RetryPolicy.of(0, Duration.ofSeconds(1)))
        .hasMessageContaining("maxNumberOfAttempts");
    assertThatThrownBy(() -> RetryPolicy.of(3, Duration.ZERO))
        .hasMessageContaining("firstRetryInterval");
    assertThatThrownBy(
            () -> RetryPolicy.builder(3, Duration.ofSeconds(1)).backoffCoefficient(0.5).build())
        .hasMessageContaining("backoffCoefficient");
    assertThatThrownBy(
            () ->
                RetryPolicy.builder(3, Duration.ofSeconds(5))
                    .maxRetryInterval(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("maxRetryInterval");
  }
}
