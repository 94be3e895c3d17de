package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.error.Reason;
import org.junit.jupiter.api.Test;
import org.libvirt.Error.ErrorNumber;

class LibvirtErrorsTest {

  @Test
  void mapsLibvirtCodesToReasons() {
    assertThat(LibvirtErrors.reasonOf(ErrorNumber.VIR_ERR_NO_DOMAIN)).isEqualTo(Reason.NOT_FOUND);
    assertThat(LibvirtErrors.reasonOf(ErrorNumber.VIR_ERR_INVALID_ARG))
        .isEqualTo(Reason.INVALID_ARGUMENT);
    assertThat(LibvirtErrors.reasonOf(ErrorNumber.VIR_ERR_BLOCK_COPY_ACTIVE))
        .isEqualTo(Reason.FAILED_PRECONDITION);
    assertThat(LibvirtErrors.reasonOf(ErrorNumber.VIR_ERR_OPERATION_INVALID))
        .isEqualTo(Reason.FAILED_PRECONDITION);
    assertThat(LibvirtErrors.reasonOf(ErrorNumber.VIR_ERR_NO_CONNECT)).isEqualTo(Reason.UNAVAILABLE);
    assertThat(LibvirtErrors.reasonOf(ErrorNumber.VIR_ERR_AUTH_FAILED))
        .isEqualTo(Reason.PERMISSION_DENIED);
    assertThat(LibvirtErrors.reasonOf(null)).isEqualTo(Reason.INTERNAL);
  }

  @Test
  void nativeCodesIndexTheSameEnum() {
    // virGetLastErrorCode() values are C enum values; libvirt-java's enum follows their order.
    assertThat(ErrorNumber.values()[42]).isEqualTo(ErrorNumber.VIR_ERR_NO_DOMAIN);
    assertThat(ErrorNumber.values()[55]).isEqualTo(ErrorNumber.VIR_ERR_OPERATION_INVALID);
  }
}
