package io.ferry.job;

import io.ferry.error.FerryException;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobError;
import java.io.IOException;

/** Turns what made a job fail into the JobError an operator reads: a code and what to do. */
final class JobErrors {

  private JobErrors() {}

  static JobError of(Throwable t, Job job) {
    FerryException fe = find(t, FerryException.class);
    if (fe != null) {
      return error(fe.reason().name(), fe.getMessage());
    }
    IOException io = find(t, IOException.class);
    if (io != null) {
      return error("UNAVAILABLE", "I/O error in " + job.getState() + ": " + io.getMessage()
          + "; check the source and destination devices, then start the copy again");
    }
    return error("INTERNAL", "unexpected " + t.getClass().getSimpleName() + " in "
        + job.getState() + ": " + t.getMessage() + "; see the agent's log and report it");
  }

  static JobError error(String code, String message) {
    return JobError.newBuilder().setCode(code).setMessage(message).build();
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }
}
