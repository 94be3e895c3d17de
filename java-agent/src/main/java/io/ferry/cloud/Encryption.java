package io.ferry.cloud;

/** A volume type's encryption spec (provider "luks", "plain" or an encryptor class name). */
public record Encryption(String provider, String controlLocation) {

  /**
   * Native LUKS: QEMU decrypts a front-end "luks" volume itself, and Nova's swap-volume cannot
   * carry such a disk.
   */
  public boolean nativeLuks() {
    String p = provider == null ? "" : provider.toLowerCase(java.util.Locale.ROOT);
    boolean luks = p.equals("luks") || p.equals("luks2") || p.endsWith("luksencryptor");
    return luks && !"back-end".equals(controlLocation);
  }
}
