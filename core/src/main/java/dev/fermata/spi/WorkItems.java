package dev.fermata.spi;

import java.util.concurrent.CompletableFuture;

/** What work items share. */
final class WorkItems {
  /**
   * The {@code ready} of an item that may run at once. Shared: completing a completed future again
   * has no effect, and {@code obtrude} is never called on it.
   */
  static final CompletableFuture<Void> READY = CompletableFuture.completedFuture(null);

  private WorkItems() {}
}
