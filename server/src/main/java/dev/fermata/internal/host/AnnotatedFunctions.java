package dev.fermata.internal.host;

import dev.fermata.Activity;
import dev.fermata.ActivityContext;
import dev.fermata.FermataClient;
import dev.fermata.OrchestrationContext;
import dev.fermata.Orchestrator;
import dev.fermata.annotations.HttpTrigger;
import dev.fermata.annotations.TimerTrigger;
import dev.fermata.host.TimerFunction;
import dev.fermata.host.TimerInfo;
import dev.fermata.http.DurableHttpClient;
import dev.fermata.http.HttpFunction;
import dev.fermata.http.HttpFunctionRoute;
import dev.fermata.http.HttpRequestMessage;
import dev.fermata.http.HttpResponseMessage;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns the annotated methods of an object into functions. A method with a signature the host
 * cannot call is refused at registration, with the method named and the signatures accepted.
 */
public final class AnnotatedFunctions {

  /** A timer function found on a method. */
  public record Timer(String name, String schedule, TimerFunction function) {}

  public final Map<String, Orchestrator> orchestrators = new java.util.LinkedHashMap<>();
  public final Map<String, Activity> activities = new java.util.LinkedHashMap<>();
  public final List<HttpFunctionRoute> httpRoutes = new ArrayList<>();
  public final List<Timer> timers = new ArrayList<>();

  /**
   * Reads the annotated methods of {@code target} (static ones too).
   *
   * @throws IllegalArgumentException for a method that cannot be bound, or a class without any
   *     annotated method
   */
  public static AnnotatedFunctions of(Object target) {
    AnnotatedFunctions found = new AnnotatedFunctions();
    Class<?> type = target.getClass();
    List<Method> methods = new ArrayList<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      methods.addAll(Arrays.asList(c.getDeclaredMethods()));
    }
    methods.sort(Comparator.comparing(Method::getName));
    for (Method m : methods) {
      found.bind(target, m);
    }
    if (found.orchestrators.isEmpty()
        && found.activities.isEmpty()
        && found.httpRoutes.isEmpty()
        && found.timers.isEmpty()) {
      throw new IllegalArgumentException(
          "Class "
              + type.getName()
              + " has no method annotated with @Orchestrator, @Activity, @HttpTrigger or"
              + " @TimerTrigger (package dev.fermata.annotations)");
    }
    return found;
  }

  private void bind(Object target, Method m) {
    var orchestrator = m.getAnnotation(dev.fermata.annotations.Orchestrator.class);
    var activity = m.getAnnotation(dev.fermata.annotations.Activity.class);
    HttpTrigger http = m.getAnnotation(HttpTrigger.class);
    TimerTrigger timer = m.getAnnotation(TimerTrigger.class);
    int count =
        (orchestrator != null ? 1 : 0)
            + (activity != null ? 1 : 0)
            + (http != null ? 1 : 0)
            + (timer != null ? 1 : 0);
    if (count == 0) {
      return;
    }
    String where = describe(m);
    if (count > 1) {
      throw new IllegalArgumentException(where + " has more than one function annotation");
    }
    if (!Modifier.isPublic(m.getModifiers())) {
      throw new IllegalArgumentException(where + " must be public to be a function");
    }
    m.setAccessible(true); // the method is public; its class may not be
    Object receiver = Modifier.isStatic(m.getModifiers()) ? null : target;
    if (orchestrator != null) {
      orchestrators.put(orchestrator.value(), orchestrator(receiver, m, where));
    } else if (activity != null) {
      activities.put(activity.value(), activity(receiver, m, where));
    } else if (http != null) {
      String name = http.name().isEmpty() ? m.getName() : http.name();
      httpRoutes.add(
          new HttpFunctionRoute(
              name, http.route(), List.of(http.methods()), httpFunction(receiver, m, where)));
    } else {
      String name = timer.name().isEmpty() ? m.getName() : timer.name();
      timers.add(new Timer(name, timer.value(), timerFunction(receiver, m, where)));
    }
  }

  private static Orchestrator orchestrator(Object receiver, Method m, String where) {
    Class<?>[] p = m.getParameterTypes();
    if (p.length == 1 && p[0] == OrchestrationContext.class) {
      return ctx -> invoke(receiver, m, ctx);
    }
    if (p.length == 2 && p[0] == OrchestrationContext.class) {
      Class<?> input = p[1];
      return ctx -> invoke(receiver, m, ctx, ctx.getInput(input));
    }
    throw signature(
        where,
        "@Orchestrator",
        "(OrchestrationContext) or (OrchestrationContext, InputType input)");
  }

  private static Activity activity(Object receiver, Method m, String where) {
    Class<?>[] p = m.getParameterTypes();
    if (p.length == 0) {
      return ctx -> invoke(receiver, m);
    }
    if (p.length == 1 && p[0] == ActivityContext.class) {
      return ctx -> invoke(receiver, m, ctx);
    }
    if (p.length == 1 && !isHostType(p[0])) {
      Class<?> input = p[0];
      return ctx -> invoke(receiver, m, ctx.getInput(input));
    }
    if (p.length == 2 && p[0] == ActivityContext.class && !isHostType(p[1])) {
      Class<?> input = p[1];
      return ctx -> invoke(receiver, m, ctx, ctx.getInput(input));
    }
    throw signature(
        where,
        "@Activity",
        "(), (InputType input), (ActivityContext) or (ActivityContext, InputType input)");
  }

  private static HttpFunction httpFunction(Object receiver, Method m, String where) {
    List<Function<Object[], Object>> args = new ArrayList<>();
    for (Class<?> p : m.getParameterTypes()) {
      if (p == HttpRequestMessage.class) {
        args.add(a -> a[0]);
      } else if (p == DurableHttpClient.class) {
        args.add(a -> a[1]);
      } else if (p == FermataClient.class) {
        args.add(a -> ((DurableHttpClient) a[1]).client());
      } else {
        throw signature(
            where,
            "@HttpTrigger",
            "parameters of the types HttpRequestMessage, DurableHttpClient and FermataClient, in"
                + " any order");
      }
    }
    return (request, durable) -> {
      Object[] given = {request, durable};
      Object result = invoke(receiver, m, args.stream().map(f -> f.apply(given)).toArray());
      if (m.getReturnType() == void.class) {
        return HttpResponseMessage.status(204);
      }
      if (result instanceof HttpResponseMessage r) {
        return r;
      }
      return HttpResponseMessage.json(200, result);
    };
  }

  private static TimerFunction timerFunction(Object receiver, Method m, String where) {
    List<Function<Object[], Object>> args = new ArrayList<>();
    for (Class<?> p : m.getParameterTypes()) {
      if (p == TimerInfo.class) {
        args.add(a -> a[0]);
      } else if (p == FermataClient.class) {
        args.add(a -> a[1]);
      } else {
        throw signature(
            where, "@TimerTrigger", "parameters of the types TimerInfo and FermataClient, or none");
      }
    }
    return (info, client) -> {
      Object[] given = {info, client};
      invoke(receiver, m, args.stream().map(f -> f.apply(given)).toArray());
    };
  }

  private static boolean isHostType(Class<?> c) {
    return c == OrchestrationContext.class
        || c == ActivityContext.class
        || c == HttpRequestMessage.class
        || c == DurableHttpClient.class;
  }

  /** Calls the method; what it throws comes out as itself, not wrapped in reflection's types. */
  private static Object invoke(Object receiver, Method m, Object... args) throws Exception {
    try {
      return m.invoke(receiver, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  private static IllegalArgumentException signature(String where, String kind, String expected) {
    return new IllegalArgumentException(
        where + " cannot be a " + kind + " function: it must take " + expected);
  }

  private static String describe(Method m) {
    return "Method "
        + m.getDeclaringClass().getSimpleName()
        + "."
        + m.getName()
        + Arrays.stream(m.getParameterTypes())
            .map(Class::getSimpleName)
            .collect(java.util.stream.Collectors.joining(", ", "(", ")"));
  }
}
