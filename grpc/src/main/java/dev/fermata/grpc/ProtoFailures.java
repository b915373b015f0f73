package dev.fermata.grpc;

import dev.fermata.FailureDetails;
import dev.fermata.grpc.protocol.OrchestratorService.TaskFailureDetails;

/**
 * Converts failures between Fermata's {@link FailureDetails} and the proto's {@code
 * TaskFailureDetails}, cause chain included.
 *
 * <p>The proto declares {@code errorType} and {@code errorMessage} as plain strings, which cannot
 * be null, while Fermata allows a null message (an exception without one). A null message is sent
 * as {@code ""} and an {@code ""} that comes back is read as null, so that {@link
 * FailureDetails#summary()} shows just the type, as it does for the original exception. The stack
 * trace is a wrapper field and keeps null apart from {@code ""} exactly.
 *
 * <p>The 1.5.0 proto has no {@code properties} map; newer ones do, and it is not carried yet.
 */
final class ProtoFailures {

  private ProtoFailures() {}

  /** {@code failure} as a proto message, or null when {@code failure} is null. */
  static TaskFailureDetails toProto(FailureDetails failure) {
    if (failure == null) {
      return null;
    }
    TaskFailureDetails.Builder b =
        TaskFailureDetails.newBuilder()
            .setErrorType(nullToEmpty(failure.errorType()))
            .setErrorMessage(nullToEmpty(failure.errorMessage()))
            .setIsNonRetriable(failure.isNonRetriable());
    ProtoValues.setString(failure.stackTrace(), b::setStackTrace);
    if (failure.innerFailure() != null) {
      b.setInnerFailure(toProto(failure.innerFailure()));
    }
    return b.build();
  }

  /**
   * {@code failure} as Fermata's record. The error type stays {@code ""} when the SDK sent none:
   * code such as {@link FailureDetails#isCausedBy} expects a type that is never null.
   */
  static FailureDetails fromProto(TaskFailureDetails failure) {
    return new FailureDetails(
        failure.getErrorType(),
        failure.getErrorMessage().isEmpty() ? null : failure.getErrorMessage(),
        ProtoValues.string(failure.hasStackTrace(), failure.getStackTrace()),
        failure.hasInnerFailure() ? fromProto(failure.getInnerFailure()) : null,
        failure.getIsNonRetriable());
  }

  /** {@link #fromProto}, or null when the message has no failure field set. */
  static FailureDetails fromProto(boolean present, TaskFailureDetails failure) {
    return present ? fromProto(failure) : null;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
