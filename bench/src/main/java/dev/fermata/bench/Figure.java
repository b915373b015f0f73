package dev.fermata.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured figure, printed as one JSON line.
 *
 * @param system the system under test, such as {@code fermata-sqlite}
 * @param workload the workload id, such as {@code W1}
 * @param metric what was measured, such as {@code orchestrations_per_s}
 * @param value the measured value
 * @param unit the unit of {@code value}
 * @param params the workload's size parameters, for the record
 */
public record Figure(
    String system,
    String workload,
    String metric,
    double value,
    String unit,
    Map<String, Object> params) {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  public Figure {
    params = Map.copyOf(params);
  }

  /** The figure as one line of JSON, keys in a fixed order. */
  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("system", system);
    m.put("workload", workload);
    params.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> m.put(e.getKey(), e.getValue()));
    m.put("metric", metric);
    m.put("value", Math.round(value * 1000.0) / 1000.0);
    m.put("unit", unit);
    try {
      return MAPPER.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
