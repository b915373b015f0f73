package dev.fermata.samples.billing;

import java.util.Random;

/** When the simulated payment service fails, and how. */
@FunctionalInterface
public interface FaultPlan {

  /** How one request goes wrong, if it does. */
  enum Fault {
    /** The request is handled normally. */
    NONE,
    /** The service is unavailable: nothing is charged. */
    UNAVAILABLE,
    /** The charge is made but the answer is lost: the caller sees an error and must retry. */
    ANSWER_LOST
  }

  Fault next(ChargeRequest request);

  /** A service that never fails. */
  static FaultPlan none() {
    return request -> Fault.NONE;
  }

  /**
   * A service that fails now and then: each request fails with probability {@code rate}, half of
   * the failures after charging. The same seed gives the same sequence of outcomes.
   */
  static FaultPlan random(double rate, long seed) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("rate must be in [0, 1), got " + rate);
    }
    Random random = new Random(seed);
    return request -> {
      double draw;
      synchronized (random) {
        draw = random.nextDouble();
      }
      if (draw < rate / 2) {
        return Fault.UNAVAILABLE;
      }
      return draw < rate ? Fault.ANSWER_LOST : Fault.NONE;
    };
  }
}
