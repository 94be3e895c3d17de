package io.ferry.copy;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees a direct buffer's native memory at once ({@code sun.misc.Unsafe#invokeCleaner}, module
 * jdk.unsupported, on JDK 9+), instead of whenever a GC finds the buffer unreachable. Only for
 * buffers nobody uses any more: a later access would read freed memory. Without the method (an
 * unusual JDK) the buffer is left to the GC.
 */
final class DirectBuffers {

  private static final Logger LOG = LoggerFactory.getLogger(DirectBuffers.class);
  private static final Object UNSAFE;
  private static final Method INVOKE_CLEANER;

  static {
    Object unsafe = null;
    Method clean = null;
    try {
      Class<?> c = Class.forName("sun.misc.Unsafe");
      Field f = c.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      unsafe = f.get(null);
      clean = c.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("direct buffers are freed by the GC only: {}", e.toString());
    }
    UNSAFE = unsafe;
    INVOKE_CLEANER = clean;
  }

  private DirectBuffers() {}

  static void free(ByteBuffer buffer) {
    if (INVOKE_CLEANER == null || !buffer.isDirect()) {
      return;
    }
    try {
      INVOKE_CLEANER.invoke(UNSAFE, buffer);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("could not free a direct buffer now: {}", e.toString());
    }
  }
}
