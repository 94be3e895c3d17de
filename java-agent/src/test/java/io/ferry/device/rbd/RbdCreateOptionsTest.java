package io.ferry.device.rbd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RbdCreateOptionsTest {

  private static final long MIB = 1L << 20;
  private static final long LAYERING = RbdFeature.LAYERING.bit();
  private static final long LOCK = RbdFeature.EXCLUSIVE_LOCK.bit();
  private static final long STRIPING = RbdFeature.STRIPING.bit();

  @Test
  void unsetFieldsTakeTheSourcesAndExplicitOnesWin() {
    RbdCreateOptions source = new RbdCreateOptions(LAYERING | LOCK | STRIPING, MIB, 256 << 10, 2, "ec");
    assertThat(RbdCreateOptions.DEFAULT.withDefaults(source)).isEqualTo(source);
    RbdCreateOptions mine = new RbdCreateOptions(LAYERING, 4 * MIB, 0, 0, "fast");
    assertThat(mine.withDefaults(source))
        .isEqualTo(new RbdCreateOptions(LAYERING, 4 * MIB, 256 << 10, 2, "fast"));
  }

  @Test
  void plainStripingIsNotInheritedNorStripingThatDoesNotFit() {
    RbdCreateOptions plain = new RbdCreateOptions(LAYERING, 4 * MIB, 4 * MIB, 1, null);
    assertThat(new RbdCreateOptions(null, MIB, 0, 0, null).withDefaults(plain))
        .isEqualTo(new RbdCreateOptions(LAYERING, MIB, 0, 0, null));
    RbdCreateOptions fancy = new RbdCreateOptions(LAYERING | STRIPING, 4 * MIB, 2 * MIB, 4, null);
    assertThat(new RbdCreateOptions(null, MIB, 0, 0, null).withDefaults(fancy))
        .as("2 MiB stripe units do not fit 1 MiB objects: the striping bit goes too")
        .isEqualTo(new RbdCreateOptions(LAYERING, MIB, 0, 0, null));
  }

  @Test
  void withoutDataPoolKeepsTheRest() {
    RbdCreateOptions o = new RbdCreateOptions(LAYERING, MIB, 0, 0, "ec");
    assertThat(o.withoutDataPool()).isEqualTo(new RbdCreateOptions(LAYERING, MIB, 0, 0, null));
  }
}
