package dev.fermata.sqlite.crash;

import dev.fermata.FermataException;
import dev.fermata.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.InstantSource;

/**
 * A process for {@link OneOwnerIT}: starts a SQLite store on the file given as its argument and
 * prints {@code OPENED}, then holds it until its stdin closes; or prints {@code REFUSED} and the
 * store's message, and exits with 3.
 */
public final class HoldStoreMain {
  private HoldStoreMain() {}

  public static void main(String[] args) throws Exception {
    SqliteStore store = SqliteStore.open(Path.of(args[0]));
    try {
      store.start(InstantSource.system());
    } catch (FermataException e) {
      System.out.println("REFUSED " + e.getMessage());
      System.out.flush();
      System.exit(3);
    }
    System.out.println("OPENED");
    System.out.flush();
    while (System.in.read() != -1) {
      // holds the store until the test closes stdin
    }
    store.close();
    System.exit(0);
  }
}
