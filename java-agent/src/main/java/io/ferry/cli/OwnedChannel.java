package io.ferry.cli;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A channel to the agent with an event loop of its own, which {@link #close} ends.
 *
 * <p>Why: with gRPC's shared event loop, its threads are still waiting in {@code epoll_wait}
 * (native code) when the CLI exits, and the JVM's exit waits about 300 ms for threads in native
 * code to block before it gives up on them: a third of a short command's run time. Ending the
 * loop first lets the JVM exit at once.
 */
final class OwnedChannel implements AutoCloseable {

  private final EventLoopGroup loop;
  private final ManagedChannel channel;

  OwnedChannel(ConnectionOptions connection) {
    this.loop = new NioEventLoopGroup(1, new DefaultThreadFactory("ferry-cli-io", true));
    try {
      this.channel = connection.builder().eventLoopGroup(loop)
          .channelType(NioSocketChannel.class).build();
    } catch (RuntimeException e) {
      loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  ManagedChannel channel() {
    return channel;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
      loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
