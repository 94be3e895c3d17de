package io.ferry.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;

/** Reads human sizes ("4MiB") and rates ("200MiB/s") from YAML scalars, numbers included. */
final class SizeDeserializers {
  private SizeDeserializers() {}

  static final class Size extends JsonDeserializer<Long> {
    @Override
    public Long deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      String text = p.getValueAsString();
      try {
        return ByteSizes.parseSize(text);
      } catch (IllegalArgumentException e) {
        return (Long) ctx.handleWeirdStringValue(Long.class, String.valueOf(text), e.getMessage());
      }
    }
  }

  static final class Rate extends JsonDeserializer<Long> {
    @Override
    public Long deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      String text = p.getValueAsString();
      try {
        return ByteSizes.parseRate(text);
      } catch (IllegalArgumentException e) {
        return (Long) ctx.handleWeirdStringValue(Long.class, String.valueOf(text), e.getMessage());
      }
    }
  }
}
