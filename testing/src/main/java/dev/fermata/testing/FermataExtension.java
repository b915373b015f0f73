package dev.fermata.testing;

import java.util.Objects;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each JUnit 5 test a fresh {@link FermataTestEnvironment}, closed after the test:
 *
 * <pre>{@code
 * @RegisterExtension
 * final FermataExtension fermata =
 *     FermataExtension.of(env -> env.functions(b -> WarehouseShipping.register(b, settings)));
 *
 * @Test
 * void escalatesAfterTheDeadline() {
 *   String id = fermata.env().client().scheduleNew(WarehouseShipping.ORCHESTRATOR, null);
 *   assertThat(fermata.env().waitForCompletion(id).getStatus()).isEqualTo(COMPLETED);
 * }
 * }</pre>
 *
 * A test method may also take the environment as a parameter.
 */
public final class FermataExtension
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private final UnaryOperator<FermataTestEnvironment.Builder> setup;
  private FermataTestEnvironment env;

  private FermataExtension(UnaryOperator<FermataTestEnvironment.Builder> setup) {
    this.setup = setup;
  }

  /** Each test's environment is built by {@code setup} from a new builder. */
  public static FermataExtension of(UnaryOperator<FermataTestEnvironment.Builder> setup) {
    return new FermataExtension(Objects.requireNonNull(setup, "setup"));
  }

  /** The running test's environment. */
  public FermataTestEnvironment env() {
    if (env == null) {
      throw new IllegalStateException(
          "No test is running: the environment exists from before each test to after it (register"
              + " the extension on an instance field with @RegisterExtension)");
    }
    return env;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    env = setup.apply(FermataTestEnvironment.builder()).start();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (env != null) {
      env.close();
      env = null;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == FermataTestEnvironment.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return env();
  }
}
