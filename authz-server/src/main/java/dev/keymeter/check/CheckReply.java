package dev.keymeter.check;

import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Check response on its way to Envoy, with its wire bytes when they were encoded ahead of time.
 *
 * <p>Most replies are sent by encoding their message, as gRPC always does. Replies that many requests
 * share are <b>kept</b>: encoded once, when they are built. These are a hot key's allowed response (its
 * memo, {@code HotKey}) and the constant denials for unknown or malformed keys ({@code DenialResponses}).
 * For them the transport copies a few hundred bytes instead of walking ~20 protobuf objects and
 * UTF-8-encoding their strings again ({@link CheckReplyMarshaller}).
 *
 * <p><b>Model variants.</b> A kept allowed reply also keeps its variants that name a model in the
 * dynamic metadata ({@link #withModel}), for the few models most recently asked for, so that a key
 * without limits that calls a chat model on every request gets the same bytes each time. A variant is
 * the kept reply's bytes followed by a <em>suffix</em>: the encoding of a response that holds only
 * {@code dynamic_metadata.model}. Protobuf parsers merge a message field that occurs twice (and a map
 * entry's later key wins), so every parser, Envoy's included, reads the two parts as the kept response
 * with the model added: the message {@link QuotaResponses#withModel} builds, as
 * {@code CheckReplyTest} checks by parsing the two parts, through a real gRPC client too. A variant
 * therefore costs its ~30-byte suffix, not a second copy of the response. Its message is built only
 * when {@link #response} is asked for, which the serving path never does.
 *
 * <p>The messages and the bytes never change. <b>Memory ordering</b> of the variants: {@link #variants}
 * is an array never written after it is published, and published by a volatile write; a reader's
 * volatile read therefore sees the array and every variant in it fully built (variants are immutable,
 * with final fields). Two threads adding variants at once may each publish their own array, and one of
 * the two new variants is then lost: a later request builds it again, which is only slower. The array
 * never holds more than {@link #MAX_VARIANTS}, so a client sending many model names cannot make it grow.
 */
public final class CheckReply {

    static final int MAX_VARIANTS = 4;
    private static final CheckReply[] NO_VARIANTS = new CheckReply[0];
    private static final byte[] NO_SUFFIX = new byte[0];

    /** The message; null for a model variant, whose message is derived on demand. */
    private final CheckResponse response;
    /** The kept bytes ({@code response.toByteArray()}), or null: encode at send. */
    private final byte[] encoded;
    /** A variant: the kept reply it extends, its model and the suffix sent after the kept bytes. */
    private final CheckReply base;
    private final String model;
    private final byte[] suffix;
    /** Kept replies only: the model variants, most recently built first. */
    private volatile CheckReply[] variants = NO_VARIANTS;

    private CheckReply(CheckResponse response, byte[] encoded, CheckReply base, String model, byte[] suffix) {
        this.response = response;
        this.encoded = encoded;
        this.base = base;
        this.model = model;
        this.suffix = suffix;
    }

    /** A reply sent once: its message is encoded when it is sent. */
    static CheckReply of(CheckResponse response) {
        return new CheckReply(Objects.requireNonNull(response, "response"), null, null, null, NO_SUFFIX);
    }

    /** A reply that will be sent many times: encoded now, once. */
    static CheckReply encodedOnce(CheckResponse response) {
        return new CheckReply(response, response.toByteArray(), null, null, NO_SUFFIX);
    }

    /** The response this reply sends (for a model variant, built on each call). */
    public CheckResponse response() {
        return response != null ? response : QuotaResponses.withModel(base.response, model);
    }

    /**
     * The kept bytes, or null when the message is encoded at send; the wire form is these bytes followed
     * by {@link #suffix}. Callers must not modify them.
     */
    byte[] encoded() {
        return encoded;
    }

    /** What follows {@link #encoded} on the wire: empty except for a model variant. Must not be modified. */
    byte[] suffix() {
        return suffix;
    }

    /**
     * This allowed reply with {@code model} in its dynamic metadata: for a kept reply, its kept variant
     * for that model (made on the first request that names it); for another reply, a new reply with
     * {@link QuotaResponses#withModel}.
     */
    CheckReply withModel(String model) {
        if (encoded == null || base != null) {
            return of(QuotaResponses.withModel(response(), model));
        }
        CheckReply[] seen = variants;
        for (CheckReply variant : seen) {
            if (variant.model.equals(model)) {
                return variant;
            }
        }
        byte[] modelOnly = QuotaResponses.withModel(CheckResponse.getDefaultInstance(), model).toByteArray();
        CheckReply made = new CheckReply(null, encoded, this, model, modelOnly);
        CheckReply[] next = new CheckReply[Math.min(seen.length + 1, MAX_VARIANTS)];
        next[0] = made;
        System.arraycopy(seen, 0, next, 1, next.length - 1);
        variants = next;
        return made;
    }

    /** The models of the kept variants, most recent first (tests). */
    String[] variantModels() {
        return Arrays.stream(variants).map(v -> v.model).toArray(String[]::new);
    }
}
