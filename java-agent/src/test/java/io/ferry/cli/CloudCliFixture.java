package io.ferry.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/** Runs a cloud command in-process against a clouds.yaml that points to a local fake. */
final class CloudCliFixture {

  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  final Path cloudsFile;

  CloudCliFixture(Path dir, String authUrl, String password) throws Exception {
    cloudsFile = dir.resolve("clouds.yaml");
    Files.writeString(cloudsFile, "clouds:\n  fake:\n    auth:\n      auth_url: " + authUrl
        + "\n      username: admin\n      password: \"" + password + "\"\n"
        + "      project_name: admin\n      user_domain_name: Default\n"
        + "      project_domain_name: Default\n    region_name: RegionOne\n"
        + "    interface: public\n");
  }

  int run(Callable<Integer> command, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 4];
    all[0] = "--os-clouds-file";
    all[1] = cloudsFile.toString();
    all[2] = "--os-cloud";
    all[3] = "fake";
    System.arraycopy(args, 0, all, 4, args.length);
    return cl.execute(all);
  }
}
