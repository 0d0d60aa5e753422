package dev.keymeter.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A closed set of words an option accepts, each standing for one value (usually a proto enum), e.g.
 * {@code read-only} → {@code PERMISSION_PRESET_READ_ONLY}. Kept apart from the proto names because
 * the CLI speaks the product's words, not the wire's.
 *
 * @param <E> the value type
 */
final class Choice<E> {

    private final Map<String, E> byWord = new LinkedHashMap<>();

    private Choice() {
    }

    static <E> Choice<E> of(String word, E value) {
        return new Choice<E>().or(word, value);
    }

    Choice<E> or(String word, E value) {
        byWord.put(word, value);
        return this;
    }

    /**
     * The value of {@code word} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the word and the accepted ones
     */
    E parse(String word) {
        E value = byWord.get(word.trim().toLowerCase(Locale.ROOT));
        if (value == null) {
            throw new IllegalArgumentException("'" + word + "' is not one of " + String.join(", ", byWord.keySet()));
        }
        return value;
    }
}
