package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.FailureDetails;
import dev.fermata.NonRetriableException;
import dev.fermata.grpc.protocol.OrchestratorService.TaskFailureDetails;
import org.junit.jupiter.api.Test;

class ProtoFailuresTest {

  static FailureDetails overTheWire(FailureDetails f) throws Exception {
    return ProtoFailures.fromProto(
        TaskFailureDetails.parseFrom(ProtoFailures.toProto(f).toByteArray()));
  }

  @Test
  void aTreeOfThree_roundTripsExactly() throws Exception {
    FailureDetails root =
        new FailureDetails(
            "dev.fermata.TaskFailedException",
            "activity Charge failed",
            "at Orchestrator.run",
            new FailureDetails(
                "java.lang.IllegalStateException",
                "card declined",
                "at Charge.run",
                new FailureDetails("java.net.SocketTimeoutException", null, null, null, false),
                false),
            true);

    assertThat(overTheWire(root)).isEqualTo(root);
  }

  @Test
  void everyFieldIsSent() {
    FailureDetails inner = new FailureDetails("java.io.IOException", "disk", "t2", null, false);
    TaskFailureDetails p =
        ProtoFailures.toProto(new FailureDetails("java.lang.Error", "top", "t1", inner, true));

    assertThat(p.getErrorType()).isEqualTo("java.lang.Error");
    assertThat(p.getErrorMessage()).isEqualTo("top");
    assertThat(p.getStackTrace().getValue()).isEqualTo("t1");
    assertThat(p.getIsNonRetriable()).isTrue();
    assertThat(p.getInnerFailure().getErrorType()).isEqualTo("java.io.IOException");
    assertThat(p.getInnerFailure().getErrorMessage()).isEqualTo("disk");
    assertThat(p.getInnerFailure().getIsNonRetriable()).isFalse();
    assertThat(p.getInnerFailure().hasInnerFailure()).isFalse();
  }

  @Test
  void aNullStackTrace_isUnset_andAnEmptyOneIsKept() throws Exception {
    FailureDetails none = new FailureDetails("E", "m", null, null, false);
    FailureDetails empty = new FailureDetails("E", "m", "", null, false);

    assertThat(ProtoFailures.toProto(none).hasStackTrace()).isFalse();
    assertThat(ProtoFailures.toProto(empty).hasStackTrace()).isTrue();
    assertThat(overTheWire(none).stackTrace()).isNull();
    assertThat(overTheWire(empty).stackTrace()).isEmpty();
  }

  @Test
  void aNullMessage_travelsAsEmpty_andComesBackNull() throws Exception {
    FailureDetails noMessage =
        new FailureDetails("java.lang.NullPointerException", null, "t", null, false);

    assertThat(ProtoFailures.toProto(noMessage).getErrorMessage()).isEmpty();
    FailureDetails back = overTheWire(noMessage);
    assertThat(back).isEqualTo(noMessage);
    assertThat(back.summary()).isEqualTo("java.lang.NullPointerException");
  }

  @Test
  void anSdkFailureWithoutTypeOrMessage_keepsANonNullType() {
    FailureDetails f = ProtoFailures.fromProto(TaskFailureDetails.getDefaultInstance());

    assertThat(f.errorType()).isEmpty();
    assertThat(f.errorMessage()).isNull();
    assertThat(f.stackTrace()).isNull();
    assertThat(f.innerFailure()).isNull();
    assertThat(f.isNonRetriable()).isFalse();
  }

  @Test
  void aCapturedException_keepsItsCauseChainAndRetriability() throws Exception {
    FailureDetails captured =
        FailureDetails.fromException(
            new NonRetriableException("stop", new IllegalArgumentException("bad input")));

    FailureDetails back = overTheWire(captured);

    assertThat(back).isEqualTo(captured);
    assertThat(back.isNonRetriable()).isTrue();
    assertThat(back.isCausedBy(IllegalArgumentException.class)).isTrue();
  }

  @Test
  void noFailure_isNull() {
    assertThat(ProtoFailures.toProto(null)).isNull();
    assertThat(ProtoFailures.fromProto(false, TaskFailureDetails.getDefaultInstance())).isNull();
  }
}
