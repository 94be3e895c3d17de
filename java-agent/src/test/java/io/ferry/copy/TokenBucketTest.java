package io.ferry.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private static final long MIB = 1 << 20;

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  @Test
  void twentyMibAtFortyMibPerSecondTakesAboutHalfASecond() throws Exception {
    TokenBucket bucket = new TokenBucket(40 * MIB);
    long t0 = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      bucket.acquire(MIB);
    }
    assertThat(seconds(t0)).isBetween(0.4, 1.2);
  }

  @Test
  void largeRequestsKeepTheLongRunRate() throws Exception {
    TokenBucket bucket = new TokenBucket(16 * MIB);
    long t0 = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      bucket.acquire(4 * MIB); // far above the burst: paid back as debt
    }
    assertThat(seconds(t0)).isBetween(0.45, 1.3);
  }

  @Test
  void zeroIsUnlimited() throws Exception {
    TokenBucket bucket = new TokenBucket(0);
    long t0 = System.nanoTime();
    bucket.acquire(1L << 40);
    assertThat(seconds(t0)).isLessThan(0.1);
  }

  @Test
  void raisingTheRateWakesAWaiterAtOnce() throws Exception {
    TokenBucket bucket = new TokenBucket(MIB);
    bucket.acquire(MIB); // empty the bucket and go into debt
    CountDownLatch done = new CountDownLatch(1);
    Thread t = new Thread(() -> {
      try {
        bucket.acquire(8 * MIB); // about 8 s at 1 MiB/s
        done.countDown();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    long t0 = System.nanoTime();
    t.start();
    Thread.sleep(200);
    assertThat(done.getCount()).isEqualTo(1);
    bucket.setRate(0);
    assertThat(done.await(2, TimeUnit.SECONDS)).isTrue();
    assertThat(seconds(t0)).isLessThan(2);
    assertThat(bucket.rate()).isZero();
  }

  @Test
  void lowerRateSlowsDown() throws Exception {
    TokenBucket bucket = new TokenBucket(0);
    bucket.setRate(4 * MIB);
    long t0 = System.nanoTime();
    for (int i = 0; i < 8; i++) {
      bucket.acquire(MIB / 4);
    }
    assertThat(seconds(t0)).isBetween(0.3, 1.2);
  }

  @Test
  void waitersAreServedInArrivalOrder() throws Exception {
    TokenBucket bucket = new TokenBucket(2 * MIB);
    bucket.acquire(MIB); // in debt: everyone must wait
    List<Integer> order = new CopyOnWriteArrayList<>();
    Thread[] threads = new Thread[4];
    for (int i = 0; i < threads.length; i++) {
      int id = i;
      threads[i] = new Thread(() -> {
        try {
          bucket.acquire(id == 0 ? MIB / 2 : 64 * 1024);
          order.add(id);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      threads[i].start();
      Thread.sleep(30); // arrive in order 0, 1, 2, 3
    }
    for (Thread t : threads) {
      t.join(5000);
    }
    assertThat(order).containsExactly(0, 1, 2, 3);
  }

  @Test
  void waitingIsInterruptible() throws Exception {
    TokenBucket bucket = new TokenBucket(64 * 1024);
    bucket.acquire(MIB);
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> bucket.acquire(MIB)).isInstanceOf(InterruptedException.class);
    Thread.interrupted();
    // the interrupted caller left the queue: the next one is served
    bucket.setRate(0);
    bucket.acquire(MIB);
  }

  @Test
  void chainedThrottlesObeyTheSlowest() throws Exception {
    TokenBucket job = new TokenBucket(80 * MIB);
    TokenBucket host = new TokenBucket(20 * MIB);
    Throttle both = Throttle.all(job, host);
    long t0 = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      both.acquire(MIB);
    }
    assertThat(seconds(t0)).isBetween(0.35, 1.2);
  }

  @Test
  void negativeRateIsRefused() {
    assertThatThrownBy(() -> new TokenBucket(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
