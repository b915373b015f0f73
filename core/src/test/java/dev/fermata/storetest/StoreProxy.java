package dev.fermata.storetest;

import dev.fermata.spi.DurableStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/** A store that passes every call on to another, except where a test steps in. */
public final class StoreProxy {
  private StoreProxy() {}

  /** The call passed on to the target store, with its own result or exception. */
  @FunctionalInterface
  public interface Target {
    Object call() throws Throwable;
  }

  /**
   * What the proxy does with one call of {@code method} with {@code args}: usually returns {@code
   * target.call()}, or a result (or exception) of its own.
   */
  @FunctionalInterface
  public interface Handler {
    Object handle(String method, Object[] args, Target target) throws Throwable;
  }

  public static DurableStore around(DurableStore target, Handler handler) {
    return (DurableStore)
        Proxy.newProxyInstance(
            DurableStore.class.getClassLoader(),
            new Class<?>[] {DurableStore.class},
            (proxy, method, args) ->
                handler.handle(method.getName(), args, () -> invoke(target, method, args)));
  }

  private static Object invoke(DurableStore target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
