package io.ferry.virt;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Decides when a live mirror's next convergence step (or the final "did not converge") is due.
 *
 * <p>A spent step budget alone is no reason to act: a large disk's first full pass can take
 * longer than the budget and converge on its own. A step is due only when the budget is spent
 * AND the mirror is not gaining: the guest dirties at least as fast as the copy runs (dirty rate
 * &gt; 0 and &gt;= copy rate), or the remaining bytes have not shrunk over the last window (one
 * step budget). While the remaining bytes shrink, the step waits, but only while the pace of
 * the last window would bring them to zero within {@link #PATIENCE_BUDGETS} budgets: a guest
 * dirtying at 95 % of the copy rate shrinks them so slowly that waiting would have no bound.
 * Not thread-safe: the mirror's supervising thread is its only user.
 */
final class ConvergenceGate {

  /** A decision once the budget is spent; {@code why} names the rates it was taken on. */
  record Decision(boolean escalate, String why) {}

  private record Sample(long nanos, long remaining) {}

  /** How many step budgets a shrinking remainder may still need before a step is taken. */
  static final int PATIENCE_BUDGETS = 10;

  private final long budgetNanos;
  private final Deque<Sample> history = new ArrayDeque<>();
  private long deadline;
  private long lastCur = -1;

  ConvergenceGate(Duration budget, long nowNanos) {
    this.budgetNanos = budget.toNanos();
    restart(nowNanos);
  }

  /** A step was taken (or the copy restarted): a new budget, and the old remaining forgotten. */
  void restart(long nowNanos) {
    deadline = nowNanos + budgetNanos;
    history.clear();
    lastCur = -1;
  }

  /**
   * Records a sample and decides; null while the budget is not spent.
   *
   * @param cur bytes copied (a drop means the copy restarted: the history starts again)
   */
  Decision check(long nowNanos, long cur, long remaining, long copyRate, long dirtyRate) {
    if (cur < lastCur) {
      history.clear();
    }
    lastCur = cur;
    history.addLast(new Sample(nowNanos, remaining));
    // keep the newest sample that is at least one window old as the reference
    while (history.size() > 2 && nowNanos - secondOldest().nanos >= budgetNanos) {
      history.removeFirst();
    }
    if (nowNanos <= deadline) {
      return null;
    }
    String rates = "copy " + LiveMirror.mib(copyRate) + ", guest dirties "
        + LiveMirror.mib(dirtyRate);
    if (dirtyRate > 0 && dirtyRate >= copyRate) {
      return new Decision(true, "the guest dirties at least as fast as the copy (" + rates + ")");
    }
    Sample ref = history.peekFirst();
    long age = nowNanos - ref.nanos;
    if (age >= budgetNanos && remaining >= ref.remaining) {
      return new Decision(true, "remaining " + LiveMirror.mibOf(remaining) + " did not shrink in "
          + Duration.ofNanos(age).toMillis() / 1000.0 + " s (was " + LiveMirror.mibOf(ref.remaining)
          + "; " + rates + ")");
    }
    String was = LiveMirror.mibOf(remaining) + ", was " + LiveMirror.mibOf(ref.remaining) + " "
        + Duration.ofNanos(age).toMillis() / 1000.0 + " s ago; " + rates;
    if (remaining < ref.remaining) {
      double secondsLeft = remaining * (age / 1e9) / (ref.remaining - remaining);
      if (age >= budgetNanos && secondsLeft * 1e9 > (double) PATIENCE_BUDGETS * budgetNanos) {
        return new Decision(true, String.format("remaining shrinks too slowly (%s): in sync in"
            + " about %.0f s at this pace, more than %d step budgets", was, secondsLeft,
            PATIENCE_BUDGETS));
      }
      return new Decision(false, "remaining shrinks (" + was + "): the copy is gaining");
    }
    // since the last restart there is less than one window of history: measure first
    return new Decision(false, "remaining not yet measured over a full window (" + was + ")");
  }

  private Sample secondOldest() {
    var it = history.iterator();
    it.next();
    return it.next();
  }
}
