package io.ferry.cli;

import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.VerifyRequest;
import io.ferry.proto.v1.VerifyResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "verify",
    description = "Compare the data of two endpoints. Exits 0 when equal, 9 when they differ.")
final class VerifyCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "A", description = "First endpoint.")
  String a;

  @Parameters(index = "1", paramLabel = "B", description = "Second endpoint.")
  String b;

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    VerifyResponse r = agent.verify(VerifyRequest.newBuilder()
        .setA(EndpointSyntax.parse(a)).setB(EndpointSyntax.parse(b)).build());
    if (r.getEqual()) {
      out().println("equal: " + Human.size(r.getBytesCompared()) + " compared");
      out().flush();
      return ExitCodes.OK;
    }
    String detail = r.getDetail().isEmpty() ? "" : " (" + r.getDetail() + ")";
    throw new CliException(ExitCodes.DATA_LOSS, a + " and " + b + " differ"
        + (r.getSizeA() != r.getSizeB()
            ? ": sizes " + r.getSizeA() + " and " + r.getSizeB() + " bytes"
            : " first at byte " + r.getFirstDifference())
        + detail);
  }
}
