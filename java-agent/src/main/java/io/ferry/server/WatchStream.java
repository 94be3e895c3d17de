package io.ferry.server;

import io.ferry.job.JobService;
import io.ferry.proto.v1.Job;
import io.grpc.stub.ServerCallStreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WatchJob stream. Updates are coalesced: while the client is slow only the latest job is
 * kept, so a slow watcher costs one message of memory and never slows the job down. The watch
 * handle is closed when the job ends or the client goes away.
 */
final class WatchStream implements JobService.JobWatcher {

  private static final Logger log = LoggerFactory.getLogger(WatchStream.class);

  private final ServerCallStreamObserver<Job> out;
  private final StatusMapper mapper;
  private Job pending;
  private boolean ended;
  private boolean done;
  private AutoCloseable handle;

  WatchStream(ServerCallStreamObserver<Job> out, StatusMapper mapper) {
    this.out = out;
    this.mapper = mapper;
    out.setOnReadyHandler(this::drain);
    out.setOnCancelHandler(this::cancelled);
  }

  synchronized void attach(AutoCloseable handle) {
    this.handle = handle;
    if (done) {
      closeHandle();
    }
  }

  @Override
  public synchronized void onUpdate(Job job) {
    if (done) {
      return;
    }
    pending = job;
    drain();
  }

  @Override
  public synchronized void onEnd() {
    ended = true;
    drain();
  }

  private synchronized void drain() {
    if (done) {
      return;
    }
    try {
      if (pending != null && out.isReady()) {
        out.onNext(pending);
        pending = null;
      }
      if (ended && pending == null) {
        done = true;
        out.onCompleted();
        closeHandle();
      }
    } catch (RuntimeException e) {
      done = true;
      closeHandle();
      try {
        out.onError(mapper.toStatus(e));
      } catch (RuntimeException ignored) {
        // the call is already closed
      }
    }
  }

  private synchronized void cancelled() {
    done = true;
    closeHandle();
  }

  private void closeHandle() {
    if (handle != null) {
      try {
        handle.close();
      } catch (Exception e) {
        log.debug("closing a watch: {}", e.toString());
      }
      handle = null;
    }
  }
}
