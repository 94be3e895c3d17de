/**
 * An NBD server (fixed newstyle) that exports one {@link io.ferry.device.BlockDevice} to QEMU,
 * qemu-img, qemu-io and libnbd's tools on a Unix socket or a loopback TCP port.
 *
 * <p>One file per concern: {@code NbdProtocol} (the spec's constants), {@code NbdWire} (exact
 * reads and writes), {@code NbdHandshake} and {@code NbdMetaContext} (negotiation),
 * {@code NbdTransmission} and {@code NbdReplies} (requests), {@code NbdServer} (listening, one
 * thread per connection). The agent exports through its shared device
 * ({@link io.ferry.Agent#exportNbd}), so writes by NBD clients pass the write tap that a running
 * job's change feed listens to.
 */
package io.ferry.nbd;
