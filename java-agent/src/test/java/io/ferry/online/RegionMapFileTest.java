package io.ferry.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegionMapFileTest {

  @TempDir Path dir;

  @Test
  void savedMapsLoadWithTheirDoneAndWrittenRegions() throws Exception {
    RegionMap m = new RegionMap(10L << 20, 256 << 10);
    m.markDone(3);
    m.markWritten(7);
    RegionMapFile f = new RegionMapFile(dir.resolve("j.map"));
    f.save(m.snapshot());
    RegionMap back = f.load(10L << 20);
    assertThat(back.count()).isEqualTo(40);
    assertThat(back.isDone(3)).isTrue();
    assertThat(back.isWritten(3)).isFalse();
    assertThat(back.isWritten(7)).isTrue();
    assertThat(back.isDone(7)).isTrue();
    assertThat(back.isDone(4)).isFalse();
    assertThat(back.isComplete()).isFalse();
    m.completeAll();
    f.save(m.snapshot());
    assertThat(f.load(10L << 20).isComplete()).isTrue();
    assertThat(f.load(10L << 20).isWritten(7)).as("written survives completion").isTrue();
  }

  @Test
  void aDamagedMapIsDataLossNeverAFreshStart() throws Exception {
    RegionMap m = new RegionMap(1 << 20, 64 << 10);
    m.markWritten(2);
    RegionMapFile f = new RegionMapFile(dir.resolve("j.map"));
    f.save(m.snapshot());
    byte[] bytes = Files.readAllBytes(f.path());
    for (int i = 0; i < bytes.length; i += 3) {
      byte[] bad = bytes.clone();
      bad[i] ^= 0x10;
      Files.write(f.path(), bad);
      assertThatThrownBy(() -> f.load(1 << 20)).as("byte " + i)
          .isInstanceOfSatisfying(FerryException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.DATA_LOSS));
    }
    Files.write(f.path(), java.util.Arrays.copyOf(bytes, bytes.length - 5));
    assertThatThrownBy(() -> f.load(1 << 20)).isInstanceOf(FerryException.class)
        .hasMessageContaining("damaged");
    f.save(m.snapshot());
    assertThatThrownBy(() -> f.load(2 << 20)).hasMessageContaining("the source has");
  }

  @Test
  void completeAllWaitsForAConversionUnderWay() throws Exception {
    RegionMap m = new RegionMap(1 << 20, 64 << 10);
    m.lock(3).lock();
    Thread t = new Thread(m::completeAll);
    t.start();
    t.join(200);
    assertThat(t.isAlive()).as("blocked by the region's lock").isTrue();
    assertThat(m.isComplete()).isFalse();
    m.lock(3).unlock();
    t.join(5000);
    assertThat(m.isComplete()).isTrue();
    assertThat(m.isDone(15)).isTrue();
  }
}
