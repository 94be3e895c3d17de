package io.ferry.cli;

/** Placeholder entry point; replaced by the picocli command tree. */
public final class FerryCli {
  public static void main(String[] args) {
    System.out.println("ferry");
  }
}
