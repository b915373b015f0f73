package dev.fermata;

import java.util.Collection;
import java.util.TreeSet;

/** A call named an orchestrator or activity that is not registered. */
public class UnknownFunctionException extends FermataException {
  private final String functionName;

  public UnknownFunctionException(String kind, String functionName, Collection<String> known) {
    super(
        "No "
            + kind
            + " named '"
            + functionName
            + "' is registered"
            + (known.isEmpty() ? "" : "; registered: " + new TreeSet<>(known)));
    this.functionName = functionName;
  }

  public String getFunctionName() {
    return functionName;
  }
}
