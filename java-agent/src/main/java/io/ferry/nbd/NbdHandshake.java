package io.ferry.nbd;

import static io.ferry.nbd.NbdProtocol.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fixed newstyle negotiation: greeting, client flags, then options until the client picks
 * the export (EXPORT_NAME or GO) or leaves. Unknown options get NBD_REP_ERR_UNSUP.
 */
final class NbdHandshake {

  private static final Logger log = LoggerFactory.getLogger(NbdHandshake.class);

  /** What the client negotiated for the transmission phase. */
  record Session(boolean structured, boolean baseAllocation) {}

  private final NbdWire wire;
  private final NbdExport export;
  private boolean noZeroes;
  private boolean structured;
  private boolean baseAllocation;

  NbdHandshake(NbdWire wire, NbdExport export) {
    this.wire = wire;
    this.export = export;
  }

  /** Runs the negotiation; null when the client aborted or left before transmission. */
  Session run() throws IOException {
    ByteBuffer greeting = ByteBuffer.allocate(18).putLong(NBDMAGIC).putLong(IHAVEOPT)
        .putShort((short) (FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES));
    wire.write(greeting.flip());
    int clientFlags = wire.read(4).getInt();
    if ((clientFlags & ~(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)) != 0) {
      throw new NbdProtocolException("unknown client flags 0x" + Integer.toHexString(clientFlags));
    }
    noZeroes = (clientFlags & FLAG_NO_ZEROES) != 0;
    while (true) {
      ByteBuffer head = wire.read(16);
      if (head.getLong() != IHAVEOPT) {
        throw new NbdProtocolException("bad option magic");
      }
      int option = head.getInt();
      int length = head.getInt();
      if (length < 0 || length > MAX_OPTION) {
        wire.skip(Integer.toUnsignedLong(length));
        reply(option, REP_ERR_TOO_BIG, ByteBuffer.allocate(0));
        continue;
      }
      ByteBuffer data = wire.read(length);
      Boolean done = option(option, data);
      if (done != null) {
        return done ? new Session(structured, baseAllocation) : null;
      }
    }
  }

  /** Handles one option: TRUE to start transmission, FALSE to end, null to go on. */
  private Boolean option(int option, ByteBuffer data) throws IOException {
    switch (option) {
      case OPT_EXPORT_NAME:
        return exportName(data);
      case OPT_ABORT:
        reply(option, REP_ACK, ByteBuffer.allocate(0));
        return Boolean.FALSE;
      case OPT_LIST:
        list(data);
        return null;
      case OPT_INFO:
      case OPT_GO:
        return info(option, data) && option == OPT_GO ? Boolean.TRUE : null;
      case OPT_STRUCTURED_REPLY:
        if (data.hasRemaining()) {
          reply(option, REP_ERR_INVALID, ByteBuffer.allocate(0));
        } else {
          structured = true;
          reply(option, REP_ACK, ByteBuffer.allocate(0));
        }
        return null;
      case OPT_LIST_META_CONTEXT:
      case OPT_SET_META_CONTEXT:
        new NbdMetaContext(this::reply).answer(option, data, structured)
            .ifPresent(selected -> baseAllocation = selected);
        return null;
      default:
        log.debug("nbd: unsupported option {}", option);
        reply(option, REP_ERR_UNSUP, ByteBuffer.allocate(0));
        return null;
    }
  }

  /** Old-style EXPORT_NAME: no error reply exists, so an unknown name closes the connection. */
  private Boolean exportName(ByteBuffer data) throws IOException {
    String name = StandardCharsets.UTF_8.decode(data).toString();
    if (!export.matches(name)) {
      throw new NbdProtocolException("unknown export '" + name + "'");
    }
    ByteBuffer out = ByteBuffer.allocate(noZeroes ? 10 : 134).putLong(export.size())
        .putShort((short) export.transmissionFlags());
    wire.write(out.position(out.capacity()).flip());
    return Boolean.TRUE;
  }

  private void list(ByteBuffer data) throws IOException {
    if (data.hasRemaining()) {
      reply(OPT_LIST, REP_ERR_INVALID, ByteBuffer.allocate(0));
      return;
    }
    byte[] name = export.name().getBytes(StandardCharsets.UTF_8);
    reply(OPT_LIST, REP_SERVER, ByteBuffer.allocate(4 + name.length).putInt(name.length).put(name)
        .flip());
    reply(OPT_LIST, REP_ACK, ByteBuffer.allocate(0));
  }

  /** INFO and GO; true when the export was acknowledged. */
  private boolean info(int option, ByteBuffer data) throws IOException {
    String name = NbdMetaContext.string(data);
    if (name == null || data.remaining() < 2
        || data.remaining() != 2 + 2 * Short.toUnsignedInt(data.getShort(data.position()))) {
      reply(option, REP_ERR_INVALID, ByteBuffer.allocate(0));
      return false;
    }
    if (!export.matches(name)) {
      reply(option, REP_ERR_UNKNOWN, ByteBuffer.allocate(0));
      return false;
    }
    // Block size is always sent: any client copes, and it tells qemu our request cap.
    reply(option, REP_INFO, ByteBuffer.allocate(12).putShort((short) INFO_EXPORT)
        .putLong(export.size()).putShort((short) export.transmissionFlags()).flip());
    reply(option, REP_INFO, ByteBuffer.allocate(14).putShort((short) INFO_BLOCK_SIZE)
        .putInt(1).putInt(4096).putInt(MAX_REQUEST).flip());
    reply(option, REP_ACK, ByteBuffer.allocate(0));
    return true;
  }

  void reply(int option, int type, ByteBuffer payload) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(20).putLong(REPLY_MAGIC).putInt(option).putInt(type)
        .putInt(payload.remaining());
    wire.write(head.flip(), payload);
  }
}
