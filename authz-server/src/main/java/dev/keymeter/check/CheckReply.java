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
 * <p>A kept allowed reply also keeps its variants that name a model in the dynamic metadata
 * ({@link #withModel}), the few most recently asked for: a key without limits that calls a chat
 * model on every request then gets the same encoded reply each time, not a rebuilt one.
 *
 * <p>The message and the bytes never change. <b>Memory ordering</b> of the variants: {@link #variants}
 * is an array never written after it is published, and published by a volatile write; a reader's
 * volatile read therefore sees the array and every variant in it fully built (each variant is itself
 * immutable, with final fields). Two threads adding variants at once may each publish their own array,
 * and one of the two new variants is then lost: it is built again by a later request, which is only
 * slower. The array never holds more than {@link #MAX_VARIANTS}, so a client sending many model names
 * cannot make it grow.
 */
public final class CheckReply {

    static final int MAX_VARIANTS = 4;
    private static final ModelVariant[] NO_VARIANTS = new ModelVariant[0];

    private final CheckResponse response;
    /** {@code response.toByteArray()}, or null: encode at send. */
    private final byte[] encoded;
    /** Kept replies only: the variants with a model, most recently built first. */
    private volatile ModelVariant[] variants = NO_VARIANTS;

    private CheckReply(CheckResponse response, byte[] encoded) {
        this.response = Objects.requireNonNull(response, "response");
        this.encoded = encoded;
    }

    /** A reply sent once: its message is encoded when it is sent. */
    static CheckReply of(CheckResponse response) {
        return new CheckReply(response, null);
    }

    /** A reply that will be sent many times: encoded now, once. */
    static CheckReply encodedOnce(CheckResponse response) {
        return new CheckReply(response, response.toByteArray());
    }

    public CheckResponse response() {
        return response;
    }

    /** The wire bytes of {@link #response}, or null when they are not kept. Callers must not modify them. */
    byte[] encoded() {
        return encoded;
    }

    /**
     * This allowed reply with {@code model} in its dynamic metadata ({@link QuotaResponses#withModel}):
     * for a kept reply, a kept variant (built and encoded on the first request for that model); for
     * another reply, a new one.
     */
    CheckReply withModel(String model) {
        if (encoded == null) {
            return of(QuotaResponses.withModel(response, model));
        }
        ModelVariant[] seen = variants;
        for (ModelVariant variant : seen) {
            if (variant.model.equals(model)) {
                return variant.reply;
            }
        }
        CheckReply built = encodedOnce(QuotaResponses.withModel(response, model));
        ModelVariant[] next = new ModelVariant[Math.min(seen.length + 1, MAX_VARIANTS)];
        next[0] = new ModelVariant(model, built);
        System.arraycopy(seen, 0, next, 1, next.length - 1);
        variants = next;
        return built;
    }

    /** The models of the kept variants, most recent first (tests). */
    String[] variantModels() {
        return Arrays.stream(variants).map(v -> v.model).toArray(String[]::new);
    }

    private static final class ModelVariant {
        final String model;
        final CheckReply reply;

        ModelVariant(String model, CheckReply reply) {
            this.model = model;
            this.reply = reply;
        }
    }
}
