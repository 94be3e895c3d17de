package io.ferry.job;

/**
 * Thrown by a test's {@link JobHooks} to make a runner stop dead, writing nothing more, as if the
 * agent had been killed. An {@link Error} so that ordinary catch blocks let it through.
 */
public final class SimulatedCrash extends Error {

  public SimulatedCrash(String where) {
    super("simulated crash at " + where);
  }
}
