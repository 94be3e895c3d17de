package io.ferry.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.Extent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirtyMapTest {

  @Test
  void overlappingAndTouchingRangesMerge() {
    DirtyMap map = new DirtyMap(1);
    map.add(100, 50);
    map.add(300, 10);
    map.add(140, 20); // overlaps the first
    map.add(160, 5); // touches it
    map.add(0, 10);
    assertThat(map.snapshot())
        .containsExactly(new Extent(0, 10), new Extent(100, 65), new Extent(300, 10));
    assertThat(map.bytes()).isEqualTo(85);
    map.add(5, 400); // swallows everything
    assertThat(map.snapshot()).containsExactly(new Extent(0, 405));
    assertThat(map.bytes()).isEqualTo(405);
  }

  @Test
  void rangesWidenToTheGranularity() {
    DirtyMap map = new DirtyMap(4096);
    map.add(5000, 1);
    map.add(4096 * 3 - 1, 2);
    assertThat(map.snapshot()).containsExactly(new Extent(4096, 3 * 4096)); // touching granules join
    map.add(0, 0); // nothing
    assertThat(map.bytes()).isEqualTo(3 * 4096);
  }

  @Test
  void drainEmptiesTheMap() {
    DirtyMap map = new DirtyMap(512);
    map.add(0, 10);
    assertThat(map.drain()).containsExactly(new Extent(0, 512));
    assertThat(map.isEmpty()).isTrue();
    assertThat(map.bytes()).isZero();
    assertThat(map.drain()).isEmpty();
  }

  @Test
  void concurrentAddsLoseNothing() throws Exception {
    DirtyMap map = new DirtyMap(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int base = t;
      threads.add(new Thread(() -> {
        for (int i = 0; i < 5_000; i++) {
          map.add((i * 4L + base) * 10, 5); // disjoint, never touching
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    assertThat(map.bytes()).isEqualTo(20_000 * 5);
    assertThat(map.snapshot()).hasSize(20_000);
  }

  @Test
  void tooManyRangesCoarsenTheMapWithoutLosingAnything() {
    DirtyMap map = new DirtyMap(4096);
    int n = DirtyMap.MAX_RANGES * 3;
    for (int i = 0; i < n; i++) {
      map.add(i * 3L * 4096 + 100, 10); // every third granule: never touching at first
    }
    assertThat(map.snapshot().size()).isLessThanOrEqualTo(DirtyMap.MAX_RANGES);
    assertThat(map.granularity()).isGreaterThan(4096);
    // every write is still covered
    List<Extent> all = map.snapshot();
    for (int i = 0; i < n; i += 997) {
      long at = i * 3L * 4096 + 100;
      assertThat(all).anyMatch(e -> e.offset() <= at && at + 10 <= e.end());
    }
  }
}
