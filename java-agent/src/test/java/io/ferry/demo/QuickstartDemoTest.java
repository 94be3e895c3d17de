package io.ferry.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick start's main job, small: a real agent on loopback, a guest writing during the move. */
class QuickstartDemoTest {

  @TempDir Path dir;

  @Test
  void movesTheVolumeWhileTheGuestWritesAndKeepsEveryWriteAndTheHoles() throws Exception {
    List<Job> seen = new ArrayList<>();
    var options = new QuickstartDemo.Options(dir.resolve("qs"), 96L << 20, 24L << 20, 8L << 20, 7);

    QuickstartDemo.Outcome o = new QuickstartDemo(options, seen::add).run();

    assertThat(o.job().getState()).isEqualTo(JobState.COMPLETED);
    assertThat(o.guestWrites()).as("the guest wrote during the move").isPositive();
    assertThat(o.missingWrites()).as("guest writes missing on the destination").isZero();
    assertThat(o.verify().getEqual()).isTrue();
    assertThat(o.verify().getBytesCompared()).isEqualTo(96L << 20);
    assertThat(o.job().getProgress().getRegionsMerged())
        .as("regions written during the sync were merged").isPositive();
    assertThat(o.job().getProgress().getHoleBytes()).isPositive();
    assertThat(o.destinationAllocated())
        .as("holes stay holes: no more allocated on pool-b than on pool-a")
        .isLessThanOrEqualTo(o.sourceAllocated())
        .isLessThan(96L << 20);
    assertThat(seen).extracting(Job::getState)
        .contains(JobState.SYNCING, JobState.MERGING, JobState.VERIFYING, JobState.COMPLETED);
    assertThat(o.conversion().job().getState()).isEqualTo(JobState.COMPLETED);
    assertThat(o.conversion().verify().getEqual()).as("qcow2 holds the moved volume").isTrue();
    assertThat(o.conversion().fileBytes())
        .as("the qcow2 file keeps the holes: smaller than the virtual size")
        .isPositive().isLessThan(96L << 20);
    assertThat(o.ok()).isTrue();
  }
}
