package dev.fermata.internal.entities;

import dev.fermata.entities.EntityContext;
import dev.fermata.entities.EntityFunction;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A class-based entity as an {@link EntityFunction}: each public method is an operation (matched
 * case-insensitively) with at most one input parameter, optionally followed or preceded by an
 * {@link EntityContext} parameter; the object itself, with its fields, is the state. Without a
 * method of its own, {@code delete} deletes the state.
 */
public final class ClassEntity<T> implements EntityFunction {
  private final Class<T> type;
  private final Constructor<T> constructor;
  private final Map<String, Method> operations = new HashMap<>();

  public ClassEntity(Class<T> type) {
    this.type = type;
    try {
      constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          "Entity class " + type.getName() + " needs a constructor without parameters", e);
    }
    for (Method m : type.getMethods()) {
      if (m.getDeclaringClass() == Object.class || Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      int inputs = 0;
      for (Class<?> p : m.getParameterTypes()) {
        inputs += p == EntityContext.class ? 0 : 1;
      }
      if (inputs > 1 || m.getParameterCount() > 2) {
        throw new IllegalArgumentException(
            "Entity class "
                + type.getName()
                + ": operation '"
                + m.getName()
                + "' takes "
                + inputs
                + " inputs; an operation takes at most one (plus an optional EntityContext)");
      }
      String key = m.getName().toLowerCase(Locale.ROOT);
      if (operations.putIfAbsent(key, m) != null) {
        throw new IllegalArgumentException(
            "Entity class "
                + type.getName()
                + " has two public methods named '"
                + m.getName()
                + "' (ignoring case); each operation needs a unique name");
      }
      m.setAccessible(true);
    }
  }

  @Override
  public Object run(EntityContext ctx) throws Exception {
    Method m = operations.get(ctx.operationName().toLowerCase(Locale.ROOT));
    if (m == null) {
      if (ctx.operationName().equalsIgnoreCase("delete")) {
        ctx.deleteState();
        return null;
      }
      throw new IllegalArgumentException(
          "Entity class "
              + type.getName()
              + " has no operation '"
              + ctx.operationName()
              + "'; its operations are "
              + operations.keySet()
              + " and delete");
    }
    T target = ctx.getState(type, this::newInstance);
    Class<?>[] parameterTypes = m.getParameterTypes();
    Object[] args = new Object[parameterTypes.length];
    for (int i = 0; i < args.length; i++) {
      args[i] = parameterTypes[i] == EntityContext.class ? ctx : ctx.getInput(parameterTypes[i]);
    }
    ctx.setState(target);
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  private T newInstance() {
    try {
      return constructor.newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot create a " + type.getName(), e);
    }
  }
}
