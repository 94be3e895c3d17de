package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StatusMapperTest {

  @ParameterizedTest
  @EnumSource(Reason.class)
  void everyReasonBecomesTheCodeOfItsNameWithTheMessage(Reason reason) {
    List<Status.Code> counted = new ArrayList<>();
    StatusRuntimeException e = new StatusMapper(counted::add)
        .toStatus(new FerryException(reason, "source.rbd.pool: required"));
    assertThat(e.getStatus().getCode().name()).isEqualTo(reason.name());
    assertThat(e.getStatus().getDescription()).isEqualTo("source.rbd.pool: required");
    assertThat(counted).containsExactly(e.getStatus().getCode());
  }

  @Test
  void anythingElseIsInternalWithoutItsText() {
    StatusRuntimeException e = new StatusMapper()
        .toStatus(new IllegalStateException("secret key AQBx== in /etc/ceph"));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription())
        .contains("internal error in the agent (incident ")
        .doesNotContain("AQBx")
        .doesNotContain("/etc/ceph");
  }

  @Test
  void aStatusPassesThrough() {
    StatusRuntimeException e = new StatusMapper()
        .toStatus(Status.DEADLINE_EXCEEDED.withDescription("slow").asRuntimeException());
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(e.getStatus().getDescription()).isEqualTo("slow");
  }
}
