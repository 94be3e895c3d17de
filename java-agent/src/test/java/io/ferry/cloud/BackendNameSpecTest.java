package io.ferry.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The volume_backend_name operators of Cinder's CapabilitiesFilter that Ferry reads. */
class BackendNameSpecTest {

  @Test
  void plainValueMustBeEqual() {
    assertThat(BackendNameSpec.admits("ferry-a", "ferry-a")).contains(true);
    assertThat(BackendNameSpec.admits("ferry-a", "ferry-b")).contains(false);
    assertThat(BackendNameSpec.admits("ferry-a", null)).contains(false);
  }

  @Test
  void inIsASubstringTest() {
    assertThat(BackendNameSpec.admits("<in> ferry-", "ferry-c")).contains(true);
    assertThat(BackendNameSpec.admits("<in> ferry-", "stock-a")).contains(false);
  }

  @Test
  void orIsOneOf() {
    assertThat(BackendNameSpec.admits("<or> a <or> b", "b")).contains(true);
    assertThat(BackendNameSpec.admits("<or> a <or> b", "c")).contains(false);
  }

  @Test
  void stringEqualityOperators() {
    assertThat(BackendNameSpec.admits("s== x", "x")).contains(true);
    assertThat(BackendNameSpec.admits("s!= x", "x")).contains(false);
  }

  @Test
  void unknownOperatorIsLeftToTheScheduler() {
    assertThat(BackendNameSpec.admits("s>= m", "x")).isEmpty();
    assertThat(BackendNameSpec.admits("<all-in> x", "x")).isEmpty();
  }
}
