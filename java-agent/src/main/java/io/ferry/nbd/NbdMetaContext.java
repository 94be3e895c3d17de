package io.ferry.nbd;

import static io.ferry.nbd.NbdProtocol.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * LIST_META_CONTEXT and SET_META_CONTEXT. The only context is {@code base:allocation}; a LIST
 * with no queries, or with the {@code base:} namespace, lists it.
 */
final class NbdMetaContext {

  @FunctionalInterface
  interface Replier {
    void reply(int option, int type, ByteBuffer payload) throws IOException;
  }

  private final Replier replier;

  NbdMetaContext(Replier replier) {
    this.replier = replier;
  }

  /**
   * Answers the option. For SET, returns whether base:allocation is now selected; empty for LIST
   * or a refused request.
   */
  Optional<Boolean> answer(int option, ByteBuffer data, boolean structured) throws IOException {
    boolean set = option == OPT_SET_META_CONTEXT;
    String export = string(data);
    if (export == null || data.remaining() < 4 || (set && !structured)) {
      replier.reply(option, REP_ERR_INVALID, ByteBuffer.allocate(0));
      return Optional.empty();
    }
    int count = data.getInt();
    boolean match = !set && count == 0;
    for (int i = 0; i < count; i++) {
      String query = string(data);
      if (query == null) {
        replier.reply(option, REP_ERR_INVALID, ByteBuffer.allocate(0));
        return Optional.empty();
      }
      match |= query.equals(BASE_ALLOCATION) || (!set && query.equals("base:"));
    }
    if (data.hasRemaining()) {
      replier.reply(option, REP_ERR_INVALID, ByteBuffer.allocate(0));
      return Optional.empty();
    }
    if (match) {
      byte[] name = BASE_ALLOCATION.getBytes(StandardCharsets.US_ASCII);
      replier.reply(option, REP_META_CONTEXT, ByteBuffer.allocate(4 + name.length)
          .putInt(BASE_ALLOCATION_ID).put(name).flip());
    }
    replier.reply(option, REP_ACK, ByteBuffer.allocate(0));
    return set ? Optional.of(match) : Optional.empty();
  }

  /** A 32-bit length then that many UTF-8 bytes; null when the buffer is too short. */
  static String string(ByteBuffer data) {
    if (data.remaining() < 4) {
      return null;
    }
    int length = data.getInt();
    if (length < 0 || length > data.remaining()) {
      return null;
    }
    byte[] bytes = new byte[length];
    data.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
