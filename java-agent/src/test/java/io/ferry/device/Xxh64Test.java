package io.ferry.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Xxh64Test {

  private static long hash(byte[] b) {
    Xxh64 h = new Xxh64();
    h.update(ByteBuffer.wrap(b));
    return h.value();
  }

  @Test
  void referenceVectors() {
    assertThat(hash(new byte[0])).isEqualTo(0xEF46DB3751D8E999L);
    assertThat(hash("a".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xD24EC4F1A98C6E5BL);
    assertThat(hash("abc".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x44BC2CF5AD770999L);
    assertThat(hash("Nobody inspects the spammish repetition".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(0xFBCEA83C8A378BF1L);
  }

  @Test
  void anySplitIntoPiecesGivesTheSameHashAndPositionsStay() {
    byte[] data = new byte[1000];
    new Random(7).nextBytes(data);
    long whole = hash(data);
    Random r = new Random(11);
    for (int round = 0; round < 50; round++) {
      Xxh64 h = new Xxh64();
      int pos = 0;
      while (pos < data.length) {
        int n = Math.min(data.length - pos, r.nextInt(70));
        ByteBuffer piece = ByteBuffer.allocateDirect(n).put(data, pos, n).flip();
        h.update(piece);
        assertThat(piece.position()).isZero();
        pos += n;
      }
      assertThat(h.value()).isEqualTo(whole);
    }
    data[999] ^= 1;
    assertThat(hash(data)).isNotEqualTo(whole);
  }
}
