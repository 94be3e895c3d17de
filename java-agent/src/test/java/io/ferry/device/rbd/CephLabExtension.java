package io.ferry.device.rbd;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Locale;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Shares lab clusters between all integration test classes of one run: started on first use,
 * stopped and deleted when the run ends (JUnit closes root-store resources last).
 *
 * <p>Names default to {@code rbd-it1} / {@code rbd-it2}, so that they do not collide with a
 * developer's own {@code c1}/{@code c2}. Tests get them as parameters:
 * {@code @BeforeAll static void setUp(CephLab c1, @CephLabExtension.Second CephLab c2)}.
 */
public final class CephLabExtension implements ParameterResolver {

  /** Marks a parameter that wants the second cluster (for cross-cluster tests). */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.PARAMETER)
  public @interface Second {}

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext context) {
    return p.getParameter().getType() == CephLab.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext context) {
    return cluster(context, p.isAnnotated(Second.class) ? 2 : 1);
  }

  /** The shared cluster number {@code n} (1 or 2) of this test run. */
  public static CephLab cluster(ExtensionContext context, int n) {
    String name = System.getProperty("ferry.it.ceph" + n, "rbd-it" + n).toLowerCase(Locale.ROOT);
    ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL);
    Holder holder = store.getOrComputeIfAbsent("ceph-lab-" + name, k -> new Holder(CephLab.start(name)), Holder.class);
    return holder.lab;
  }

  private static final class Holder implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    final CephLab lab;

    Holder(CephLab lab) {
      this.lab = lab;
    }

    @Override
    public void close() {
      if (!Boolean.getBoolean("ferry.it.keepCeph")) {
        lab.purge();
      }
    }
  }
}
