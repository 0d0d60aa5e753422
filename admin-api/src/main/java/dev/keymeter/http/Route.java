package dev.keymeter.http;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One row of the JSON API: an HTTP method and a path template such as {@code /v1/keys/{keyId}:rotate},
 * the gRPC method it calls ({@code null}: answered here, as whoami), and whether a JSON body fills
 * the request. Path parameters and query parameters fill the request field of the same (JSON or
 * proto) name.
 */
record Route(String method, String template, MethodDescriptor<?, ?> rpc, boolean body, Pattern pattern,
        List<String> pathParameters) {

    Route {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(template, "template");
        pathParameters = List.copyOf(pathParameters);
    }

    static Route of(String method, String template, MethodDescriptor<?, ?> rpc, boolean body) {
        List<String> names = new ArrayList<>();
        StringBuilder regex = new StringBuilder();
        Matcher m = Pattern.compile("\\{([A-Za-z]+)}").matcher(template);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start())));
            // Matched on the raw path: a ':' inside a value arrives encoded (%3A), so a custom verb such
            // as ':rotate' never ends up inside a parameter.
            regex.append("([^/:]+)");
            names.add(m.group(1));
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        return new Route(method, template, rpc, body, Pattern.compile(regex.toString()), names);
    }

    /** The raw (still encoded) path parameters, when {@code rawPath} fits the template. */
    Optional<Map<String, String>> match(String rawPath) {
        Matcher m = pattern.matcher(rawPath);
        if (!m.matches()) {
            return Optional.empty();
        }
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pathParameters.size(); i++) {
            values.put(pathParameters.get(i), m.group(i + 1));
        }
        return Optional.of(values);
    }

    /** The empty request message of the gRPC method, to fill. */
    Message requestPrototype() {
        if (rpc.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p
                && p.getMessagePrototype() instanceof Message message) {
            return message;
        }
        throw new IllegalStateException(rpc.getFullMethodName() + " has no protobuf request marshaller");
    }

    String rpcName() {
        return rpc == null ? "(local)" : rpc.getBareMethodName();
    }
}
