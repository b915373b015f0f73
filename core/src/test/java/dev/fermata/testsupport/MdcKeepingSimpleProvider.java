package dev.fermata.testsupport;

import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.simple.SimpleServiceProvider;
import org.slf4j.spi.MDCAdapter;

/**
 * The tests' logger, slf4j-simple, with a logging context that keeps what is put in it (its own
 * forgets everything), chosen by the {@code slf4j.provider} system property.
 */
public final class MdcKeepingSimpleProvider extends SimpleServiceProvider {
  private final MDCAdapter mdc = new BasicMDCAdapter();

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }
}
