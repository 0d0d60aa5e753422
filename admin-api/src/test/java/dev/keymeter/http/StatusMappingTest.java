package dev.keymeter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract's table of gRPC codes to HTTP statuses, every code included. */
class StatusMappingTest {

    @Test
    void httpStatus_everyCode_asTheContractMapsIt() {
        Map<Status.Code, Integer> contract = Map.ofEntries(Map.entry(Status.Code.OK, 200),
                Map.entry(Status.Code.INVALID_ARGUMENT, 400), Map.entry(Status.Code.FAILED_PRECONDITION, 400),
                Map.entry(Status.Code.OUT_OF_RANGE, 400), Map.entry(Status.Code.UNAUTHENTICATED, 401),
                Map.entry(Status.Code.PERMISSION_DENIED, 403), Map.entry(Status.Code.NOT_FOUND, 404),
                Map.entry(Status.Code.ALREADY_EXISTS, 409), Map.entry(Status.Code.ABORTED, 409),
                Map.entry(Status.Code.RESOURCE_EXHAUSTED, 429), Map.entry(Status.Code.CANCELLED, 499),
                Map.entry(Status.Code.UNIMPLEMENTED, 501), Map.entry(Status.Code.UNAVAILABLE, 503),
                Map.entry(Status.Code.DEADLINE_EXCEEDED, 504));
        for (Status.Code code : Status.Code.values()) {
            assertEquals(contract.getOrDefault(code, 500), StatusMapping.httpStatus(code), code::name);
        }
        assertEquals(500, StatusMapping.httpStatus(Status.Code.INTERNAL));
        assertEquals(500, StatusMapping.httpStatus(Status.Code.UNKNOWN));
        assertEquals(500, StatusMapping.httpStatus(Status.Code.DATA_LOSS));
    }
}
