package io.ferry.cli;

import io.ferry.cloud.CloudConfigLoader;
import io.ferry.cloud.CloudCredentials;
import io.ferry.cloud.OpenStackCloud;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How the cloud commands reach OpenStack (a picocli mixin). */
public final class CloudOptions {

  @Option(names = "--os-cloud", paramLabel = "NAME", defaultValue = "${env:OS_CLOUD}",
      description = "Cloud in clouds.yaml (./, ~/.config/openstack/, /etc/openstack/);"
          + " default: $OS_CLOUD, else the OS_* environment variables.")
  String cloud;

  @Option(names = "--os-clouds-file", paramLabel = "FILE",
      description = "A clouds.yaml to read before the standard ones.")
  Path cloudsFile;

  public OpenStackCloud connect() {
    return OpenStackCloud.connect(credentials());
  }

  CloudCredentials credentials() {
    CloudConfigLoader standard = CloudConfigLoader.standard();
    if (cloudsFile == null) {
      return standard.load(cloud);
    }
    List<Path> paths = new ArrayList<>();
    paths.add(cloudsFile);
    paths.add(Path.of("clouds.yaml"));
    paths.add(Path.of(System.getProperty("user.home"), ".config", "openstack", "clouds.yaml"));
    paths.add(Path.of("/etc/openstack/clouds.yaml"));
    return new CloudConfigLoader(System.getenv(), paths).load(cloud);
  }
}
