package io.ferry.cloud;

/** Removes known secret values from text that is about to be logged or thrown. */
final class Secrets {

  private Secrets() {}

  static String scrub(String text, String... secrets) {
    if (text == null) {
      return "no detail";
    }
    String out = text;
    for (String s : secrets) {
      if (s != null && !s.isEmpty()) {
        out = out.replace(s, "***");
      }
    }
    return out;
  }
}
