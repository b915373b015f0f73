package dev.fermata.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.history.HistoryEvent;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the JSON that stores persist, against golden files written by the release that databases in
 * the field were written with. A failure here means existing databases would read differently: do
 * not regenerate the golden file, make the codec read the old form (see the migrations READMEs).
 */
class StoredFormatTest {
  static final String EVENTS = "events";
  static final String FAILURE = "failure.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<String> tags() {
    return StoredFormatSamples.EVENTS.keySet().stream().sorted();
  }

  @Test
  void everyEventKind_hasASample() {
    assertThat(StoredFormatSamples.EVENTS.values().stream().map(Object::getClass))
        .containsExactlyInAnyOrder(HistoryEvent.class.getPermittedSubclasses());
  }

  @ParameterizedTest
  @MethodSource("tags")
  void eachKind_isStoredUnderItsOwnTag_andTheTagReadsAsThatKind(String tag) {
    HistoryEvent sample = StoredFormatSamples.EVENTS.get(tag);

    assertThat(EventTags.of(sample)).isEqualTo(tag);
    assertThat(EventTags.kind(tag)).isEqualTo(sample.getClass());
  }

  @Test
  void aKindWithoutATag_isRefused_namingIt() {
    EventTags.requireTags(HistoryEvent.class.getPermittedSubclasses());
    assertThatThrownBy(
            () ->
                EventTags.requireTags(
                    new Class<?>[] {HistoryEvent.TaskScheduled.class, Untagged.class}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(Untagged.class.getName())
        .hasMessageNotContaining("TaskScheduled");
  }

  /** Stands for an event kind added to HistoryEvent without a stored tag. */
  private record Untagged() {}

  @Test
  void everySample_hasAGoldenFile_andEveryGoldenFileASample() throws IOException {
    try (Stream<Path> files = Files.list(golden().resolve(EVENTS))) {
      assertThat(files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()))
          .isEqualTo(tags().map(tag -> tag + ".json").collect(Collectors.toSet()));
    }
  }

  @ParameterizedTest
  @MethodSource("tags")
  void encoding_yieldsTheGoldenJson(String tag) throws IOException {
    String golden = read(EVENTS + "/" + tag + ".json");
    String encoded = HistoryCodec.encode(StoredFormatSamples.EVENTS.get(tag));

    assertThat(JSON.readTree(golden).get("type").asText()).isEqualTo(tag);
    // As trees first, for a readable difference; then as text, which also pins field order.
    assertThat(JSON.readTree(encoded)).isEqualTo(JSON.readTree(golden));
    assertThat(encoded).isEqualTo(golden);
  }

  @ParameterizedTest
  @MethodSource("tags")
  void decoding_theGoldenJson_yieldsTheSample(String tag) throws IOException {
    HistoryEvent decoded = HistoryCodec.decode(read(EVENTS + "/" + tag + ".json"));

    assertThat(decoded).isEqualTo(StoredFormatSamples.EVENTS.get(tag));
  }

  /**
   * The ids a Durable Task SDK gives its entity calls and critical sections are added last, only
   * when set: the engine's own events keep the golden form above, and golden rows read as null.
   */
  /** An execution's version is added last, only when set: unversioned starts keep their form. */
  @Test
  void theVersionOfAnExecution_isAddedLast_andOnlyWhenSet() {
    Instant at = Instant.parse("2026-12-07T10:00:00Z");
    HistoryEvent.ExecutionStarted versioned =
        new HistoryEvent.ExecutionStarted(at, "Order", "e-1", null, null, null, "2.0");

    assertThat(HistoryCodec.encode(versioned)).endsWith(",\"version\":\"2.0\"}");
    assertThat(HistoryCodec.decode(HistoryCodec.encode(versioned))).isEqualTo(versioned);
    assertThat(
            HistoryCodec.encode(
                new HistoryEvent.ExecutionStarted(at, "Order", "e-1", null, null, null)))
        .doesNotContain("version");
  }

  @Test
  void sdkRequestIds_areAddedLast_andOnlyWhenSet() {
    Instant at = Instant.parse("2026-12-07T10:00:00Z");
    HistoryEvent.EntityOperationSent call =
        new HistoryEvent.EntityOperationSent(at, 4, "@counter@c1", "add", "1", false, null, "r-1");
    HistoryEvent.EntityLockRequested lock =
        new HistoryEvent.EntityLockRequested(at, 5, List.of("@counter@c1"), "cs-1");

    assertThat(HistoryCodec.encode(call)).endsWith(",\"requestId\":\"r-1\"}");
    assertThat(HistoryCodec.encode(lock)).endsWith(",\"requestId\":\"cs-1\"}");
    assertThat(HistoryCodec.decode(HistoryCodec.encode(call))).isEqualTo(call);
    assertThat(HistoryCodec.decode(HistoryCodec.encode(lock))).isEqualTo(lock);
    assertThat(
            HistoryCodec.decode(
                HistoryCodec.encode(new HistoryEvent.EntityLockRequested(at, 5, List.of("@a@b")))))
        .isEqualTo(new HistoryEvent.EntityLockRequested(at, 5, List.of("@a@b"), null));
  }

  @Test
  void failureDetails_encodeToTheGoldenJson_andDecodeBack() throws IOException {
    String golden = read(FAILURE);

    assertThat(JSON.readTree(HistoryCodec.encodeFailure(StoredFormatSamples.FAILURE)))
        .isEqualTo(JSON.readTree(golden));
    assertThat(HistoryCodec.encodeFailure(StoredFormatSamples.FAILURE)).isEqualTo(golden);
    assertThat(HistoryCodec.decodeFailure(golden)).isEqualTo(StoredFormatSamples.FAILURE);
  }

  @Test
  void anUnknownTag_isACorruptRecord_namingTheTag() {
    assertThatThrownBy(() -> HistoryCodec.decode("{\"type\":\"TaskQueued\",\"timestamp\":null}"))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("'TaskQueued'");
  }

  @Test
  void goldenJson_isSingleLineUtf8_asStoresHoldIt() throws IOException {
    // Guards the golden files themselves: an editor reformatting one would weaken the text check.
    for (String name :
        Stream.concat(tags().map(t -> EVENTS + "/" + t + ".json"), Stream.of(FAILURE)).toList()) {
      assertThat(read(name)).as(name).doesNotContain("\n").startsWith("{").endsWith("}");
    }
    assertThat(read(EVENTS + "/ExecutionStarted.json")).contains("caf\u00e9");
  }

  private static String read(String name) throws IOException {
    String text = Files.readString(golden().resolve(name), StandardCharsets.UTF_8);
    return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }

  private static Path golden() {
    URL url = StoredFormatTest.class.getResource("/stored-format");
    assertThat(url).as("stored-format golden folder on the test class path").isNotNull();
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
