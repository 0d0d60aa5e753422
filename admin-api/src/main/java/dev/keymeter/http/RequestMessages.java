package dev.keymeter.http;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import java.util.Map;

/**
 * Fills a route's request message, proto3 JSON mapping throughout ({@link JsonFormat}, which refuses
 * unknown fields): the body first, then each query parameter, then each path parameter, by field
 * name (lowerCamelCase or the proto's own). A value that does not fit is INVALID_ARGUMENT naming it:
 * the parameter, or the path of the body field ({@code key.permissions.preset}).
 */
final class RequestMessages {

    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private RequestMessages() {
    }

    static Message build(Route route, Map<String, String> rawPathParameters, Map<String, String> query,
            JsonObject body) {
        Message prototype = route.requestPrototype();
        Message.Builder builder = prototype.newBuilderForType();
        try {
            PARSER.merge(body.toString(), builder);
        } catch (Exception e) { // InvalidProtocolBufferException, or a runtime refusal of a value
            throw invalid(locate(body, prototype, "") + ": " + JsonBody.firstLine(e.getMessage()));
        }
        query.forEach((name, value) -> mergeOne(builder, name, value, "query parameter " + name));
        rawPathParameters.forEach((name, raw) -> mergeOne(builder, name,
                QueryString.decodePath(raw, "path parameter " + name), "path parameter " + name));
        return builder.build();
    }

    private static void mergeOne(Message.Builder builder, String name, String value, String what) {
        JsonObject one = new JsonObject();
        one.addProperty(name, value);
        try {
            PARSER.merge(one.toString(), builder);
        } catch (Exception e) {
            throw invalid(what + ": " + JsonBody.firstLine(e.getMessage()));
        }
    }

    /**
     * Which member of {@code body} the parser refused: each member is tried alone, and a refused
     * message-typed member is searched in turn, so the answer is the deepest field at fault.
     */
    static String locate(JsonObject body, Message prototype, String prefix) {
        for (Map.Entry<String, JsonElement> member : body.entrySet()) {
            JsonObject alone = new JsonObject();
            alone.add(member.getKey(), member.getValue());
            try {
                PARSER.merge(alone.toString(), prototype.newBuilderForType());
            } catch (Exception refused) {
                String path = prefix + member.getKey();
                FieldDescriptor field = field(prototype.getDescriptorForType(), member.getKey());
                if (field != null && nested(field) && member.getValue().isJsonObject()) {
                    Message inner = prototype.newBuilderForType().newBuilderForField(field).getDefaultInstanceForType();
                    String deeper = locate(member.getValue().getAsJsonObject(), inner, path + ".");
                    return deeper.isEmpty() ? path : deeper;
                }
                return path;
            }
        }
        return prefix.isEmpty() ? "request body" : "";
    }

    private static FieldDescriptor field(Descriptor type, String name) {
        FieldDescriptor byProtoName = type.findFieldByName(name);
        if (byProtoName != null) {
            return byProtoName;
        }
        return type.getFields().stream().filter(f -> f.getJsonName().equals(name)).findFirst().orElse(null);
    }

    /** A field of one of our own message types (well-known types have JSON forms of their own). */
    private static boolean nested(FieldDescriptor field) {
        return field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()
                && !field.getMessageType().getFullName().startsWith("google.protobuf.");
    }

    private static HttpRefusal invalid(String message) {
        return HttpRefusal.of(Status.Code.INVALID_ARGUMENT, message);
    }
}
