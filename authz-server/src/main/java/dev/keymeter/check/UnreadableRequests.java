package dev.keymeter.check;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext.HttpRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Looks at a request protobuf refused, through its wire fields ({@link UnknownFieldSet} reads any
 * well-formed message and keeps strings as bytes), to say which field is not UTF-8 — or to repair
 * the one that may legitimately be binary: the body, which moves to {@code raw_body}.
 *
 * <p>Only the fields of {@code attributes.request.http} are named; anything else that is not readable
 * is {@link BadRequest#unreadable()}. Runs only for requests that failed to parse: never on the
 * common path. Stateless.
 */
final class UnreadableRequests {

    /** The plain string fields of {@code HttpRequest}, by field number, named as the client knows them. */
    private static final Map<Integer, String> STRING_FIELDS = Map.of(
            HttpRequest.METHOD_FIELD_NUMBER, "method",
            HttpRequest.PATH_FIELD_NUMBER, "path",
            HttpRequest.HOST_FIELD_NUMBER, "host",
            HttpRequest.SCHEME_FIELD_NUMBER, "scheme",
            HttpRequest.QUERY_FIELD_NUMBER, "query",
            HttpRequest.FRAGMENT_FIELD_NUMBER, "fragment",
            HttpRequest.PROTOCOL_FIELD_NUMBER, "protocol",
            HttpRequest.ID_FIELD_NUMBER, "id");

    private UnreadableRequests() {
    }

    /** The request, repaired, or the 400 that names what cannot be read. */
    static IncomingCheck read(byte[] bytes) {
        try {
            UnknownFieldSet root = UnknownFieldSet.parseFrom(bytes);
            for (ByteString http : httpRequests(root)) {
                BadRequest bad = inspect(UnknownFieldSet.parseFrom(http));
                if (bad != null) {
                    return IncomingCheck.refused(bad);
                }
            }
            UnknownFieldSet repaired = atHttp(root, UnreadableRequests::bodyToRawBody);
            return IncomingCheck.of(CheckRequest.parseFrom(repaired.toByteString()));
        } catch (InvalidProtocolBufferException e) {
            return IncomingCheck.refused(BadRequest.unreadable());
        }
    }

    private static List<ByteString> httpRequests(UnknownFieldSet root) throws InvalidProtocolBufferException {
        List<ByteString> out = new ArrayList<>();
        for (ByteString attributes : delimited(root, CheckRequest.ATTRIBUTES_FIELD_NUMBER)) {
            for (ByteString request : delimited(UnknownFieldSet.parseFrom(attributes), AttributeContext.REQUEST_FIELD_NUMBER)) {
                out.addAll(delimited(UnknownFieldSet.parseFrom(request), AttributeContext.Request.HTTP_FIELD_NUMBER));
            }
        }
        return out;
    }

    /** The first header or string field of one {@code HttpRequest} that is not UTF-8, as a 400; or null. */
    private static BadRequest inspect(UnknownFieldSet http) throws InvalidProtocolBufferException {
        for (ByteString entry : delimited(http, HttpRequest.HEADERS_FIELD_NUMBER)) {
            BadRequest bad = header(UnknownFieldSet.parseFrom(entry), 1, 2); // map entry: key 1, value 2
            if (bad != null) {
                return bad;
            }
        }
        for (ByteString map : delimited(http, HttpRequest.HEADER_MAP_FIELD_NUMBER)) {
            for (ByteString header : delimited(UnknownFieldSet.parseFrom(map), HeaderMap.HEADERS_FIELD_NUMBER)) {
                BadRequest bad = header(UnknownFieldSet.parseFrom(header), HeaderValue.KEY_FIELD_NUMBER,
                        HeaderValue.VALUE_FIELD_NUMBER);
                if (bad != null) {
                    return bad;
                }
            }
        }
        for (var field : STRING_FIELDS.entrySet()) {
            for (ByteString value : delimited(http, field.getKey())) {
                if (!value.isValidUtf8()) {
                    return BadRequest.fieldNotUtf8(field.getValue());
                }
            }
        }
        return null;
    }

    private static BadRequest header(UnknownFieldSet header, int keyField, int valueField) {
        for (ByteString key : delimited(header, keyField)) {
            if (!key.isValidUtf8()) {
                return BadRequest.headerNotUtf8(null);
            }
        }
        for (ByteString value : delimited(header, valueField)) {
            if (!value.isValidUtf8()) {
                List<ByteString> keys = delimited(header, keyField);
                return BadRequest.headerNotUtf8(keys.isEmpty() ? "" : keys.get(keys.size() - 1).toStringUtf8());
            }
        }
        return null;
    }

    /** The body's bytes as {@code raw_body} (unless one was sent), where any bytes are valid. */
    private static UnknownFieldSet bodyToRawBody(UnknownFieldSet http) {
        List<ByteString> body = delimited(http, HttpRequest.BODY_FIELD_NUMBER);
        UnknownFieldSet.Builder b = http.toBuilder().clearField(HttpRequest.BODY_FIELD_NUMBER);
        if (!body.isEmpty() && delimited(http, HttpRequest.RAW_BODY_FIELD_NUMBER).isEmpty()) {
            b.addField(HttpRequest.RAW_BODY_FIELD_NUMBER, UnknownFieldSet.Field.newBuilder()
                    .addLengthDelimited(body.get(body.size() - 1)).build());
        }
        return b.build();
    }

    /** {@code root} with {@code change} applied to each {@code attributes.request.http}. */
    private static UnknownFieldSet atHttp(UnknownFieldSet root, Change change)
            throws InvalidProtocolBufferException {
        return nested(root, CheckRequest.ATTRIBUTES_FIELD_NUMBER, attributes ->
                nested(attributes, AttributeContext.REQUEST_FIELD_NUMBER, request ->
                        nested(request, AttributeContext.Request.HTTP_FIELD_NUMBER, change)));
    }

    /** A change to one nested message; may fail to parse the levels below it. */
    private interface Change {
        UnknownFieldSet apply(UnknownFieldSet set) throws InvalidProtocolBufferException;
    }

    private static UnknownFieldSet nested(UnknownFieldSet set, int number, Change change)
            throws InvalidProtocolBufferException {
        List<ByteString> values = delimited(set, number);
        if (values.isEmpty()) {
            return set;
        }
        UnknownFieldSet.Field.Builder field = UnknownFieldSet.Field.newBuilder();
        for (ByteString value : values) {
            field.addLengthDelimited(change.apply(UnknownFieldSet.parseFrom(value)).toByteString());
        }
        return set.toBuilder().clearField(number).addField(number, field.build()).build();
    }

    private static List<ByteString> delimited(UnknownFieldSet set, int number) {
        return set.hasField(number) ? set.getField(number).getLengthDelimitedList() : List.of();
    }
}
