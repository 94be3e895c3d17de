package io.ferry.nbd;

import static io.ferry.nbd.NbdProtocol.*;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transmission phase. This thread reads requests in order; each is served on a worker of the
 * connection, concurrently with the others, and replied to when done (replies in any order, as
 * NBD allows); {@link NbdInFlight} keeps overlapping writes in the order they were sent. Each
 * request is bounds-checked before it touches the device. A device error becomes an EIO reply
 * (logged once per connection); only a broken request stream (bad magic, EOF) ends the
 * connection, after the requests in flight have been answered. With {@code maxInFlight} 1
 * requests are served one at a time on this thread.
 */
final class NbdTransmission {

  private static final Logger log = LoggerFactory.getLogger(NbdTransmission.class);

  /** One request header. */
  record Request(int flags, int type, long handle, long offset, long length) {}

  private final NbdWire wire;
  private final NbdExport export;
  private final NbdHandshake.Session session;
  private final NbdReplies replies;
  private final BlockDevice device;
  private final int maxInFlight;
  private volatile boolean deviceErrorLogged;

  NbdTransmission(NbdWire wire, NbdExport export, NbdHandshake.Session session) {
    this(wire, export, session, 1);
  }

  NbdTransmission(NbdWire wire, NbdExport export, NbdHandshake.Session session,
      int maxInFlight) {
    this.maxInFlight = maxInFlight;
    this.wire = wire;
    this.export = export;
    this.session = session;
    this.replies = new NbdReplies(wire, session.structured());
    this.device = export.device();
  }

  /** Serves requests until DISC or the client goes away. */
  void run() throws IOException {
    if (maxInFlight <= 1) {
      serial();
      return;
    }
    NbdInFlight inFlight = new NbdInFlight(maxInFlight);
    ExecutorService workers = Executors.newFixedThreadPool(maxInFlight, r -> {
      Thread t = new Thread(r, "nbd-io-" + export.name());
      t.setDaemon(true);
      return t;
    });
    try {
      concurrent(inFlight, workers);
    } finally {
      inFlight.awaitAll(); // answer what was accepted before the connection closes
      workers.shutdown();
    }
  }

  private void concurrent(NbdInFlight inFlight, ExecutorService workers) throws IOException {
    while (true) {
      Request r = next();
      if (r == null) {
        return;
      }
      if (r.type() == CMD_WRITE && r.length() > MAX_REQUEST) {
        wire.skip(r.length());
        replies.status(r.handle(), EOVERFLOW);
        continue;
      }
      NbdInFlight.Slot slot;
      try {
        slot = inFlight.admit(r);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("nbd connection interrupted");
      }
      ByteBuffer payload;
      try {
        payload = r.type() == CMD_WRITE ? wire.read((int) r.length()) : null;
      } catch (IOException | RuntimeException e) {
        inFlight.finish(slot);
        throw e;
      }
      slot.after().thenRunAsync(() -> serveOne(r, payload, slot, inFlight), workers);
    }
  }

  private void serveOne(Request r, ByteBuffer payload, NbdInFlight.Slot slot,
      NbdInFlight inFlight) {
    try {
      serve(r, payload);
    } catch (IOException | RuntimeException e) {
      try {
        deviceError(r, e);
        replies.status(r.handle(), EIO);
      } catch (IOException | RuntimeException gone) {
        log.debug("nbd: reply to {} failed: {}", r.handle(), gone.toString());
      }
    } finally {
      inFlight.finish(slot);
    }
  }

  /** The next request; null on DISC. */
  private Request next() throws IOException {
    ByteBuffer h = wire.read(28);
    if (h.getInt() != REQUEST_MAGIC) {
      throw new NbdProtocolException("bad request magic");
    }
    Request r = new Request(Short.toUnsignedInt(h.getShort()), Short.toUnsignedInt(h.getShort()),
        h.getLong(), h.getLong(), Integer.toUnsignedLong(h.getInt()));
    return r.type() == CMD_DISC ? null : r;
  }

  /** One request at a time on this thread. */
  private void serial() throws IOException {
    while (true) {
      Request r = next();
      if (r == null) {
        return;
      }
      if (r.type() == CMD_WRITE && r.length() > MAX_REQUEST) {
        // The payload cannot be buffered; skip it in chunks so the stream stays in step.
        wire.skip(r.length());
        replies.status(r.handle(), EOVERFLOW);
        continue;
      }
      try {
        serve(r, r.type() == CMD_WRITE ? wire.read((int) r.length()) : null);
      } catch (NbdProtocolException | java.io.EOFException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        deviceError(r, e);
        replies.status(r.handle(), EIO);
      }
    }
  }

  private void serve(Request r, ByteBuffer payload) throws IOException {
    int error = check(r);
    if (error != 0) {
      replies.status(r.handle(), error);
      return;
    }
    switch (r.type()) {
      case CMD_READ -> read(r);
      case CMD_WRITE -> {
        device.write(r.offset(), payload);
        done(r);
      }
      case CMD_FLUSH -> {
        device.flush();
        replies.status(r.handle(), 0);
      }
      case CMD_TRIM -> {
        device.writeZeroes(r.offset(), r.length(), true);
        done(r);
      }
      case CMD_WRITE_ZEROES -> {
        device.writeZeroes(r.offset(), r.length(), (r.flags() & CMD_FLAG_NO_HOLE) == 0);
        done(r);
      }
      case CMD_BLOCK_STATUS -> blockStatus(r);
      default -> replies.status(r.handle(), EINVAL);
    }
  }

  /** Zero when the request may run, else the errno to reply with. */
  private int check(Request r) throws IOException {
    int type = r.type();
    boolean mutates = type == CMD_WRITE || type == CMD_TRIM || type == CMD_WRITE_ZEROES;
    if (type == CMD_FLUSH) {
      return 0;
    }
    if (type > CMD_BLOCK_STATUS || type == 5) {
      return EINVAL;
    }
    if (type == CMD_BLOCK_STATUS && !session.baseAllocation()) {
      return EINVAL;
    }
    if (mutates && !export.writable()) {
      return EPERM;
    }
    long size = device.size();
    if (r.offset() < 0 || r.offset() > size || r.length() > size - r.offset()) {
      return mutates ? ENOSPC : EINVAL;
    }
    if (type == CMD_READ && (r.length() == 0 || r.length() > MAX_REQUEST)) {
      return r.length() == 0 ? EINVAL : EOVERFLOW;
    }
    return 0;
  }

  private void done(Request r) throws IOException {
    if ((r.flags() & CMD_FLAG_FUA) != 0) {
      device.flush();
    }
    replies.status(r.handle(), 0);
  }

  private void read(Request r) throws IOException {
    ByteBuffer data = ByteBuffer.allocate((int) r.length());
    device.read(r.offset(), data);
    data.flip();
    if (session.structured()) {
      List<Extent> extents = device.canExtents()
          ? device.extents(r.offset(), r.length()) : List.of(new Extent(r.offset(), r.length()));
      replies.read(r.handle(), r.offset(), data, extents);
    } else {
      replies.simple(r.handle(), 0, data);
    }
  }

  private void blockStatus(Request r) throws IOException {
    if (r.length() == 0) {
      replies.status(r.handle(), EINVAL);
      return;
    }
    List<long[]> out = new ArrayList<>();
    long pos = r.offset();
    long end = r.offset() + r.length();
    boolean one = (r.flags() & CMD_FLAG_REQ_ONE) != 0;
    for (Extent e : device.extents(r.offset(), r.length())) {
      long from = Math.max(e.offset(), pos);
      long to = Math.min(e.end(), end);
      if (to <= from) {
        continue;
      }
      if (from > pos) {
        out.add(new long[] {from - pos, STATE_HOLE | STATE_ZERO});
      }
      out.add(new long[] {to - from, 0});
      pos = to;
    }
    if (pos < end) {
      out.add(new long[] {end - pos, STATE_HOLE | STATE_ZERO});
    }
    List<long[]> merged = merge(out);
    replies.blockStatus(r.handle(), one ? merged.subList(0, 1) : merged);
  }

  /** Joins neighbours with the same flags (extents come at block granularity). */
  private static List<long[]> merge(List<long[]> in) {
    List<long[]> out = new ArrayList<>();
    for (long[] d : in) {
      long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && last[1] == d[1]) {
        last[0] += d[0];
      } else {
        out.add(d.clone());
      }
    }
    return out;
  }

  private void deviceError(Request r, Exception e) {
    if (!deviceErrorLogged) {
      deviceErrorLogged = true;
      log.warn("nbd {}: {} at offset {} length {} failed, replying EIO: {}", device.describe(),
          r.type(), r.offset(), r.length(), e.toString());
    } else {
      log.debug("nbd {}: request failed: {}", device.describe(), e.toString());
    }
  }
}
