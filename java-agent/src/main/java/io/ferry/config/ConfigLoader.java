package io.ferry.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Reads and checks the agent's YAML config. Every error is one {@link FerryException}
 * (INVALID_ARGUMENT) whose message names the file, the key, what is wrong and what to do. Unknown
 * keys are refused, so that a typo never silently falls back to a default.
 */
public final class ConfigLoader {

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  private ConfigLoader() {}

  /** Reads, resolves relative paths against the file's directory, and validates. */
  public static AgentConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw error(file, "does not exist; pass --config with the agent's YAML file "
          + "(see ferry-agent.example.yaml)");
    } catch (IOException e) {
      throw error(file, "cannot be read (" + e.getMessage() + "); check its permissions");
    }
    Path base = file.toAbsolutePath().getParent();
    AgentConfig config = parse(file.toString(), text).withBase(base);
    ConfigValidator.validate(file.toString(), config);
    return config;
  }

  /** Parses without validation or path resolution ({@code source} names the text in errors). */
  public static AgentConfig parse(String source, String yaml) {
    if (yaml.isBlank()) {
      throw error(source, "is empty; start from ferry-agent.example.yaml");
    }
    try {
      AgentConfig c = YAML.readValue(yaml, AgentConfig.class);
      if (c == null) {
        throw error(source, "is empty; start from ferry-agent.example.yaml");
      }
      return c;
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds().stream()
              .map(String::valueOf)
              .sorted()
              .collect(Collectors.joining(", "));
      throw error(source, path(e) + ": unknown key; the keys allowed here are: " + known);
    } catch (InvalidFormatException e) {
      throw error(source, path(e) + ": " + reason(e) + at(e));
    } catch (JsonMappingException e) {
      throw error(source, path(e) + ": " + reason(e) + at(e));
    } catch (JsonProcessingException e) {
      throw error(source, "is not valid YAML: " + e.getOriginalMessage() + at(e)
          + "; fix the syntax");
    }
  }

  static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "(top level)" : sb.toString();
  }

  private static String reason(JsonMappingException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root instanceof IllegalArgumentException ? root.getMessage() : e.getOriginalMessage();
    if (msg == null) {
      return "invalid value";
    }
    // Jackson's own wording carries class names; keep its first sentence only.
    int cut = msg.indexOf('\n');
    msg = cut > 0 ? msg.substring(0, cut) : msg;
    return msg.replace("java.lang.", "").replace("io.ferry.config.", "");
  }

  private static String at(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
  }

  static FerryException error(Object source, String what) {
    return new FerryException(Reason.INVALID_ARGUMENT, "config " + source + ": " + what);
  }
}
