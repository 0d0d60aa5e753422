package dev.keymeter.check;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/**
 * Error bodies in the OpenAI shape, {@code {"error":{"message":…,"type":…,"param":null,"code":…}}}
 * — every member present, {@code param} always {@code null} (no denial is about one request
 * parameter), as in OpenAI's own errors — so that OpenAI SDKs surface our message as they surface the
 * provider's. Built once, at start-up.
 */
final class JsonError {

    /** Without HTML escaping, {@code <key>} stays readable instead of becoming {@code \u003ckey\u003e}. */
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private JsonError() {
    }

    static String body(String message, String type, String code) {
        JsonObject error = new JsonObject();
        error.addProperty("message", message);
        error.addProperty("type", type);
        error.add("param", JsonNull.INSTANCE);
        error.addProperty("code", code);
        JsonObject root = new JsonObject();
        root.add("error", error);
        return GSON.toJson(root);
    }
}
