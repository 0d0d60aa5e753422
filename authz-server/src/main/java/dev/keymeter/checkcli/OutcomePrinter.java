package dev.keymeter.checkcli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** Prints a {@link CheckOutcome}: aligned text for people, one JSON object for scripts. */
final class OutcomePrinter {

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create();

    private OutcomePrinter() {
    }

    static void text(CheckOutcome o, ProbeRequest request, PrintWriter out) {
        out.println("request   : " + request);
        out.println("decision  : " + (o.allowed() ? "allowed" : "denied"));
        out.println("status    : " + o.httpStatus() + (o.allowed() ? " (Envoy passes the request upstream)" : ""));
        out.println("reason    : " + o.reason());
        if (!o.message().isEmpty()) {
            out.println("message   : " + o.message());
        }
        o.metadata().forEach((k, v) -> out.println(String.format("%-10s: %s", k, v)));
        section(out, o.allowed() ? "headers set on the upstream request" : "headers on the denial",
                o.headers());
        section(out, "headers added to the response", o.responseHeaders());
        if (!o.removed().isEmpty()) {
            out.println("headers removed before the upstream: " + String.join(", ", o.removed()));
        }
        if (o.budgets().isEmpty()) {
            out.println("budgets   : none reported (the key has no limits, or the request never reached them)");
        } else {
            out.println("budgets:");
            o.budgets().forEach((k, v) -> out.println("  " + k + ": " + v));
        }
        out.flush();
    }

    static void json(CheckOutcome o, PrintWriter out) {
        JsonObject root = new JsonObject();
        root.addProperty("decision", o.allowed() ? "allowed" : "denied");
        root.addProperty("http_status", o.httpStatus());
        root.addProperty("reason", o.reason());
        root.addProperty("message", o.message());
        root.add("headers", headers(o.headers()));
        root.add("response_headers", headers(o.responseHeaders()));
        JsonArray removed = new JsonArray();
        o.removed().forEach(removed::add);
        root.add("headers_removed", removed);
        root.add("budgets", object(o.budgets()));
        root.add("metadata", object(o.metadata()));
        out.println(GSON.toJson(root));
        out.flush();
    }

    private static void section(PrintWriter out, String title, List<CheckOutcome.Header> headers) {
        if (headers.isEmpty()) {
            return;
        }
        out.println(title + ":");
        for (CheckOutcome.Header h : headers) {
            out.println("  " + h.name() + ": " + h.value() + "  (" + h.action() + ")");
        }
    }

    private static JsonArray headers(List<CheckOutcome.Header> headers) {
        JsonArray array = new JsonArray();
        for (CheckOutcome.Header h : headers) {
            JsonObject o = new JsonObject();
            o.addProperty("name", h.name());
            o.addProperty("value", h.value());
            o.addProperty("action", h.action());
            array.add(o);
        }
        return array;
    }

    private static JsonObject object(Map<String, String> map) {
        JsonObject o = new JsonObject();
        map.forEach(o::addProperty);
        return o;
    }
}
