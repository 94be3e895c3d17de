package io.ferry.nbd;

import static io.ferry.nbd.NbdProtocol.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The requests of one connection that are being served, and the order they must keep when they
 * run concurrently (replies may go out in any order):
 *
 * <ul>
 *   <li>a write (WRITE, TRIM, WRITE_ZEROES) starts after every earlier request overlapping it,
 *       so overlapping writes land in the order they were sent, and a read sent before a write
 *       never sees it;
 *   <li>a read or block-status starts after every earlier overlapping write;
 *   <li>FLUSH starts after every earlier write.
 * </ul>
 *
 * Memory is bounded: at most {@code maxRequests} requests and {@link #BYTE_BUDGET} bytes of
 * payload in flight; the connection stops reading new requests until some finish.
 */
final class NbdInFlight {

  /** Payload bytes in flight per connection (a request larger than this waits for all). */
  static final int BYTE_BUDGET = 64 << 20;
  private static final int KIB = 1024;

  /** One request being served; {@code done} completes when its reply is out. */
  record Slot(long offset, long end, boolean mutates, boolean flush, int permits,
      CompletableFuture<Void> done, CompletableFuture<Void> after) {}

  private final List<Slot> slots = new ArrayList<>();
  private final Semaphore requests;
  private final Semaphore kibs = new Semaphore(BYTE_BUDGET / KIB);

  NbdInFlight(int maxRequests) {
    this.requests = new Semaphore(maxRequests);
  }

  /**
   * Waits for room, then registers {@code r}. The slot's {@code after} completes once every
   * earlier request it must follow is done.
   */
  Slot admit(NbdTransmission.Request r) throws InterruptedException {
    boolean data = r.type() == CMD_READ || r.type() == CMD_WRITE;
    int permits = data ? (int) Math.max(1, Math.min(BYTE_BUDGET / KIB, r.length() / KIB)) : 1;
    requests.acquire();
    try {
      kibs.acquire(permits);
    } catch (InterruptedException e) {
      requests.release();
      throw e;
    }
    boolean mutates = r.type() == CMD_WRITE || r.type() == CMD_TRIM
        || r.type() == CMD_WRITE_ZEROES;
    boolean flush = r.type() == CMD_FLUSH;
    long end = r.offset() + r.length();
    synchronized (this) {
      List<CompletableFuture<Void>> before = new ArrayList<>();
      for (Slot s : slots) {
        boolean overlaps = s.offset() < end && r.offset() < s.end();
        if ((flush && s.mutates()) || (overlaps && (mutates || s.mutates()))
            || s.flush() && mutates) {
          before.add(s.done());
        }
      }
      CompletableFuture<Void> after = before.isEmpty() ? CompletableFuture.completedFuture(null)
          : CompletableFuture.allOf(before.toArray(CompletableFuture[]::new));
      Slot slot = new Slot(r.offset(), end, mutates, flush, permits, new CompletableFuture<>(),
          after);
      slots.add(slot);
      return slot;
    }
  }

  /** The request's reply is out (or failed): later requests waiting for it may start. */
  void finish(Slot slot) {
    synchronized (this) {
      slots.remove(slot);
    }
    kibs.release(slot.permits());
    requests.release();
    slot.done().complete(null);
  }

  /** Waits until every request in flight is finished. */
  void awaitAll() {
    List<CompletableFuture<Void>> all;
    synchronized (this) {
      all = slots.stream().map(Slot::done).toList();
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
  }
}
